// GNU readline and history for the REPL: the callback API over poll, so Ctrl-C reaches Swift.
#ifndef CREADLINE_SHIM_H
#define CREADLINE_SHIM_H
// readline 8.2 includes <stdio.h> itself; older releases did not, so keep it first.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>
#include <readline/history.h>

// Accessors for readline's mutable C globals: Swift 6 rejects direct use of imported global
// `var`s as not concurrency-safe, and functions keep strict checking everywhere else.
static inline int creadline_history_length(void) { return history_length; }
static inline void creadline_set_attempted_completion(rl_completion_func_t *f) {
  rl_attempted_completion_function = f;
}
static inline void creadline_set_completion_over(int v) { rl_attempted_completion_over = v; }
static inline void creadline_set_catch_signals(int v) { rl_catch_signals = v; }
// readline keeps the pointer: copy it, never pass a Swift temporary.
static inline void creadline_set_name(const char *name) { rl_readline_name = strdup(name); }
static inline const char *creadline_library_version(void) { return rl_library_version; }
// Completion: the line typed so far and the cursor, so Tau decides what the word is; Tau's
// candidates carry their own suffix (`steps: `, `dir/`), so readline appends nothing.
static inline const char *creadline_line_buffer(void) { return rl_line_buffer; }
static inline int creadline_point(void) { return rl_point; }
static inline void creadline_suppress_append(void) { rl_completion_suppress_append = 1; }
static inline void creadline_set_word_break_characters(const char *characters) {
  rl_completer_word_break_characters = strdup(characters);
}
#endif
