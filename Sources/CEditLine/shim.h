#ifndef AVIARY_CEDITLINE_SHIM_H
#define AVIARY_CEDITLINE_SHIM_H

// libedit's readline-compatible API (Debian: libedit-dev). Only its callback interface is used: the shell
// feeds it one character at a time from its own poll loop, so watch events can be printed between keys.
#include <stdio.h>
#include <editline/readline.h>

// Swift 6 treats mutable C globals as unsafe shared state; the shell touches libedit's globals only through
// these accessors, all called from its one editor thread.

static inline void aviary_rl_set_name(const char *name) { rl_readline_name = name; }

static inline void aviary_rl_set_streams(FILE *input, FILE *output) {
    rl_instream = input;
    rl_outstream = output;
}

static inline void aviary_rl_set_completion(rl_completion_func_t *function) {
    rl_attempted_completion_function = function;
}

static inline void aviary_rl_set_append_character(int character) { rl_completion_append_character = character; }

static inline void aviary_rl_set_completion_over(int over) { rl_attempted_completion_over = over; }

static inline void aviary_rl_set_catch_signals(int catch_signals) {
    rl_catch_signals = catch_signals;
    rl_catch_sigwinch = catch_signals;
}

static inline const char *aviary_rl_line_buffer(void) { return rl_line_buffer; }

static inline int aviary_rl_point(void) { return rl_point; }

#endif
