// Linux calls glibc declares only under _GNU_SOURCE, which Swift's Glibc module leaves unset.
#include <unistd.h>

// syncfs(2): flush the file system holding fd (glibc 2.14+).
extern int syncfs(int fd);
