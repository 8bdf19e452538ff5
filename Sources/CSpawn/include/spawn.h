#ifndef SWEEP_SPAWN_H
#define SWEEP_SPAWN_H

#include <sys/types.h>

/// Starts `argv` (searched on PATH, with `envp`) as a command trial and returns the pid of its
/// supervisor, or -1 with errno set. The supervisor leads a new process group with the program
/// in it, standard output and error on `out_fd` and `err_fd`, and:
/// - the program starts with an empty signal mask and default dispositions (the worker blocks
///   and ignores signals the program must see: SIGTERM has to reach its handler);
/// - when the worker dies, however it dies (kill -9 too), the whole group is killed;
/// - the supervisor ignores SIGTERM, SIGINT and SIGHUP sent to the group, waits for the program,
///   and exits as it exited (the same status, or the same signal).
/// Between fork and exec only async-signal-safe calls run.
pid_t sweep_spawn(const char *file, char *const argv[], char *const envp[], int out_fd, int err_fd);

#endif
