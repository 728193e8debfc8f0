// Linux calls glibc declares only under _GNU_SOURCE, which Swift's Glibc module leaves unset,
// and the one piece of process creation Swift cannot do safely itself.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

// syncfs(2): flush the file system holding fd (glibc 2.14+).
extern int syncfs(int fd);
// execvpe(3): execvp with an environment of the caller's choosing (GNU).
extern int execvpe(const char *file, char *const argv[], char *const envp[]);

// Limits a task's process starts under (0: none).
struct shoal_task_limits {
    unsigned long long address_space_bytes;  // RLIMIT_AS
    unsigned long long cpu_seconds;          // RLIMIT_CPU
    unsigned long long file_bytes;           // RLIMIT_FSIZE
};

// Starts argv[0] (looked up in this process's PATH) in `directory`, in a new process group of
// its own, with `envp`, standard input from /dev/null, standard output and error appended to
// the two files (opened here, created 0600), every other descriptor closed, signals at their
// defaults, and `limits` applied. Between fork and exec the child calls only async-signal-safe
// functions: a multi-threaded parent may fork no other way. Returns the pid, or -1 with the
// child's errno in *child_errno (and `stage` naming the step that failed) when it could not exec.
static inline pid_t shoal_spawn_task(
    char *const argv[], char *const envp[], const char *directory, const char *stdout_path, const char *stderr_path,
    struct shoal_task_limits limits, int *child_errno, int *stage)
{
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *child_errno = errno;
        *stage = 0;
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        *child_errno = errno;
        *stage = 0;
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) {
        int failed_stage = 1;
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, 0);
        for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
        if (setpgid(0, 0) != 0) goto fail;
        failed_stage = 2;
        if (chdir(directory) != 0) goto fail;
        failed_stage = 3;
        int in = open("/dev/null", O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0) goto fail;
        int out = open(stdout_path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
        if (out < 0 || dup2(out, 1) < 0) goto fail;
        int err = open(stderr_path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
        if (err < 0 || dup2(err, 2) < 0) goto fail;
        // Keep the report pipe as descriptor 3 (close-on-exec), close everything above it.
        if (report[1] != 3) {
            if (dup2(report[1], 3) < 0) goto fail;
            report[1] = 3;
        }
        fcntl(3, F_SETFD, FD_CLOEXEC);
        syscall(SYS_close_range, 4U, ~0U, 0);
        failed_stage = 4;
        struct rlimit limit;
        if (limits.address_space_bytes > 0) {
            limit.rlim_cur = limit.rlim_max = limits.address_space_bytes;
            if (setrlimit(RLIMIT_AS, &limit) != 0) goto fail;
        }
        if (limits.cpu_seconds > 0) {
            limit.rlim_cur = limits.cpu_seconds;
            limit.rlim_max = limits.cpu_seconds + 1;
            if (setrlimit(RLIMIT_CPU, &limit) != 0) goto fail;
        }
        if (limits.file_bytes > 0) {
            limit.rlim_cur = limit.rlim_max = limits.file_bytes;
            if (setrlimit(RLIMIT_FSIZE, &limit) != 0) goto fail;
        }
        failed_stage = 5;
        execvpe(argv[0], argv, envp);
    fail:;
        int code[2] = {errno, failed_stage};
        ssize_t ignored = write(report[1], code, sizeof code);
        (void)ignored;
        _exit(127);
    }
    // Also here, so the group exists before the caller can signal it.
    setpgid(pid, pid);
    close(report[1]);
    int code[2];
    ssize_t got;
    do {
        got = read(report[0], code, sizeof code);
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof code) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *child_errno = code[0];
        *stage = code[1];
        return -1;
    }
    return pid;
}
