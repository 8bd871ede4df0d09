#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, in the foreground of this script: it starts
# slurmctld and slurmd from Debian's packages (slurmctld, slurmd, slurm-client) with auth/none
# (no munge, no systemd, no cgroups), submits a sweep script as a job array with no --shard
# (each task reads SLURM_ARRAY_TASK_*), waits, runs `tau merge`, and checks the merged tables,
# the figures the merge re-draws and what it prints against the unsharded run, byte for byte.
# Needs root (the daemons run as root).
# Usage: Benchmarks/slurm/run.sh [path/to/tau] [ARRAY] [SCRIPT [ARGS...]]: ARRAY a --array spec
# (default 1-3; a step such as 0-4:2 gives 3 tasks too), SCRIPT a script taking --out
# (default Tests/Sweeps/sweep.tau), ARGS its other arguments.
set -euo pipefail
cd "$(dirname "$0")/../.."
tau="$(realpath "${1:-.build/release/tau}")"
array="${2:-1-3}"
script="${3:-Tests/Sweeps/sweep.tau}"
shift $(( $# < 3 ? $# : 3 ))
args="$*"
work="$(mktemp -d /tmp/tau-slurm.XXXXXX)"
node="$(hostname -s)"
cpus="$(nproc)"
memory="$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)"
mkdir -p "$work/state" "$work/spool" "$work/logs"
cat > "$work/slurm.conf" <<CONF
ClusterName=tau
SlurmctldHost=$node
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
SlurmctldPort=7817
SlurmdPort=7818
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$node CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=tau Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -D -f "$SLURM_CONF" > "$work/logs/slurmctld.out" 2>&1 &
controller=$!
slurmd -D -f "$SLURM_CONF" > "$work/logs/slurmd.out" 2>&1 &
daemon=$!
trap 'kill $controller $daemon 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 60); do
  sinfo -h -o %t 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo
"$tau" run "$script" --quiet -- --out "$work/whole" $args > "$work/whole.txt"
started=$(date +%s)
sbatch --wait --array="$array" --cpus-per-task=1 --output="$work/logs/task-%a.out" \
  --chdir="$PWD" --wrap "$tau run $script --quiet -- --out $work/shards $args"
echo "job array $array finished in $(( $(date +%s) - started )) s"
ls "$work/shards" | grep -c shard- | sed 's/^/files written by the shards: /'
"$tau" merge "$work/shards" > "$work/merged.txt"
compared=0
for file in "$work/whole"/*; do
  cmp "$file" "$work/shards/$(basename "$file")"
  compared=$((compared + 1))
done
cmp "$work/whole.txt" "$work/merged.txt"
echo "slurm check: the tasks of array $array merged into the unsharded run's $compared files and its output"
