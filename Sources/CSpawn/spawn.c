#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/// The worker died: the whole group goes, the supervisor too (kill is async-signal-safe).
static void on_parent_death(int signal) { (void)signal; kill(0, SIGKILL); }

/// Every signal back to its default, none blocked: what a freshly started program expects.
static void reset_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < NSIG; s++) {
        if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/// Closes every descriptor above standard error (the worker's sockets and pipes) but `keep`.
static void close_others(int keep) {
    long most = sysconf(_SC_OPEN_MAX);
    if (most < 0 || most > 65536) most = 65536;
    for (int fd = 3; fd < most; fd++) {
        if (fd != keep) close(fd);
    }
}

pid_t sweep_spawn(const char *file, char *const argv[], char *const envp[], int out_fd, int err_fd) {
    // The program writes exec's errno here when exec fails; a successful exec closes it (CLOEXEC),
    // so the worker learns at once, as from posix_spawn, whether the program started.
    int status_pipe[2];
    if (pipe2(status_pipe, O_CLOEXEC) != 0) return -1;
    pid_t worker = getpid();
    pid_t supervisor = fork();
    if (supervisor < 0) {
        int e = errno;
        close(status_pipe[0]);
        close(status_pipe[1]);
        errno = e;
        return -1;
    }
    if (supervisor > 0) {
        close(status_pipe[1]);
        int failure = 0;
        ssize_t n;
        do { n = read(status_pipe[0], &failure, sizeof failure); } while (n < 0 && errno == EINTR);
        close(status_pipe[0]);
        if (n == (ssize_t)sizeof failure) {
            int ignored;
            while (waitpid(supervisor, &ignored, 0) < 0 && errno == EINTR) {}
            errno = failure;
            return -1;
        }
        return supervisor;
    }
    close(status_pipe[0]);

    // The supervisor: a new group, told (by SIGUSR1) when the worker's thread that forked it dies.
    setpgid(0, 0);
    struct sigaction action = {0};
    action.sa_handler = on_parent_death;
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_PDEATHSIG, SIGUSR1);
    if (getppid() != worker) { kill(0, SIGKILL); _exit(137); } // it died before prctl took effect

    pid_t program = fork();
    if (program == 0) {
        reset_signals();
        if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) _exit(127);
        close_others(status_pipe[1]);
        execvpe(file, argv, envp);
        int failure = errno;
        ssize_t ignored = write(status_pipe[1], &failure, sizeof failure);
        (void)ignored;
        _exit(127);
    }
    if (program < 0) {
        int failure = errno;
        ssize_t ignored = write(status_pipe[1], &failure, sizeof failure);
        (void)ignored;
        _exit(127);
    }
    close(out_fd);
    close(err_fd);
    close_others(-1);

    int status = 0;
    for (;;) {
        pid_t done = waitpid(program, &status, 0);
        if (done == program) break;
        if (done < 0 && errno != EINTR) _exit(127);
    }
    if (WIFSIGNALED(status)) {
        int s = WTERMSIG(status);
        signal(s, SIG_DFL);
        kill(getpid(), s);
        _exit(128 + s);
    }
    _exit(WEXITSTATUS(status));
}
