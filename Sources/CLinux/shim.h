// Linux calls glibc declares only under _GNU_SOURCE, which Swift's Glibc module leaves unset,
// and the one piece of process creation Swift cannot do safely itself.
#include <errno.h>
#include <pthread.h>
#include <linux/close_range.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

// syncfs(2): flush the file system holding fd (glibc 2.14+).
extern int syncfs(int fd);
// O_DIRECT, which glibc names only under _GNU_SOURCE; its value differs between architectures,
// so it comes from glibc's own __O_DIRECT rather than a Swift literal.
static const int shoal_o_direct = __O_DIRECT;
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
// the two files (created 0600 or emptied), every other descriptor closed, signals at their
// defaults, `limits` applied, and no more than default priority (nice 0, RLIMIT_NICE 20). The child is made with vfork: it borrows this process's memory
// until it execs (no page tables copied, which fork of a large agent spends most of a task's
// start on), so between vfork and exec it only makes system calls, writes its own locals and
// never returns; every signal is blocked around the vfork so no handler runs in the child.
// Returns the pid, or -1 with the child's errno in *child_errno (and `stage` naming the step
// that failed) when it could not exec.
static inline pid_t shoal_spawn_task(
    char *const argv[], char *const envp[], const char *directory, const char *stdout_path, const char *stderr_path,
    struct shoal_task_limits limits, int *child_errno, int *stage)
{
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    volatile int failed_stage = 1;
    volatile int failed_errno = 0;
    pid_t pid = vfork();
    if (pid == 0) {
        for (int sig = 1; sig < NSIG; sig++) {
            struct sigaction action = {0};
            action.sa_handler = SIG_DFL;
            syscall(SYS_rt_sigaction, sig, &action, 0, _NSIG / 8);
        }
        sigset_t none;
        sigemptyset(&none);
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, _NSIG / 8);
        if (setpgid(0, 0) != 0) goto fail;
        failed_stage = 2;
        if (chdir(directory) != 0) goto fail;
        failed_stage = 3;
        int in = open("/dev/null", O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0) goto fail;
        int out = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
        if (out < 0 || dup2(out, 1) < 0) goto fail;
        int err = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
        if (err < 0 || dup2(err, 2) < 0) goto fail;
        // Everything above the standard three closes at exec.
        syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
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
        // No task runs above default priority: deploy/shoal.service lets the agent's threads
        // reach nice -4 (LimitNICE, for libdispatch's user-interactive workers), and this thread
        // may be one of them. Raising the nice value and lowering the limit need no privilege.
        if (getpriority(PRIO_PROCESS, 0) < 0) setpriority(PRIO_PROCESS, 0, 0);
        struct rlimit nice_limit;
        if (getrlimit(RLIMIT_NICE, &nice_limit) == 0 && nice_limit.rlim_max > 20) {
            nice_limit.rlim_cur = nice_limit.rlim_max = 20;  // a ceiling of nice 0
            if (setrlimit(RLIMIT_NICE, &nice_limit) != 0) goto fail;
        }
        failed_stage = 5;
        execvpe(argv[0], argv, envp);
    fail:
        failed_errno = errno;
        _exit(127);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, 0);
    if (pid < 0) {
        *child_errno = saved;
        *stage = 0;
        return -1;
    }
    // The parent resumes once the child has exec'd or exited: a failure is in the shared locals.
    if (failed_errno != 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *child_errno = failed_errno;
        *stage = failed_stage;
        return -1;
    }
    // Also here, so the group exists before the caller can signal it.
    setpgid(pid, pid);
    return pid;
}
