# median(list): the median of a space-separated list of numbers; shared by the compare scripts,
# which collect one figure per round into values[name] and print medians.
function median(list,    n, parts, i, j, t) {
  n = split(list, parts, " ")
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (parts[j] + 0 < parts[i] + 0) { t = parts[i]; parts[i] = parts[j]; parts[j] = t }
  return (n % 2) ? parts[(n + 1) / 2] : (parts[n / 2] + parts[n / 2 + 1]) / 2
}
