/*
 * harden.c -- the gateway's own process, made a poor target.
 *
 * At start-up, before anything is read from the network: no core dumps
 * and not dumpable (a core or a ptrace attach would hand out the master
 * key, the key-hashing secret and prompts in memory), and no_new_privs (no
 * set-uid program can raise what this process or its children may do).
 *
 * After the store, the keys and the listening sockets are open: the
 * optional switch to an unprivileged user (server.user or --user), then
 * a seccomp allow-list of the system calls serving needs. Everything else
 * fails with EPERM; executing programs, tracing other processes and
 * loading kernel code kill the process at once, since nothing in aigate
 * ever does them and an attacker with code execution would.
 *
 * Sanitizer builds install no filter: LeakSanitizer stops the threads
 * with ptrace to scan their stacks.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harden.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

int gw_harden_early(char *err, size_t len) {
  struct rlimit none = {0, 0};
  if (setrlimit(RLIMIT_CORE, &none) || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) ||
      prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
    snprintf(err, len, "cannot harden the process: %s", strerror(errno));
    return -1;
  }
  return 0;
}

int gw_drop_user(const char *user, char *err, size_t len) {
  struct passwd pw, *res = NULL;
  char buf[4096];
  if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) || !res) {
    snprintf(err, len, "no user '%.64s'", user);
    return -1;
  }
  if (geteuid() != 0) {
    if (geteuid() == pw.pw_uid)
      return 0;
    snprintf(err, len,
             "cannot switch to user '%.64s': aigate runs as uid %u, not "
             "root",
             user, (unsigned)geteuid());
    return -1;
  }
  if (pw.pw_uid == 0) {
    snprintf(err, len, "server.user '%.64s' is root: nothing would be dropped",
             user);
    return -1;
  }
  if (initgroups(user, pw.pw_gid) || setgid(pw.pw_gid) || setuid(pw.pw_uid)) {
    snprintf(err, len, "cannot switch to user '%.64s': %s", user,
             strerror(errno));
    return -1;
  }
  /* Make sure there is no way back. */
  if (setuid(0) == 0 || seteuid(0) == 0) {
    snprintf(err, len, "switched to '%.64s' but could become root again", user);
    return -1;
  }
  /* Dropping credentials resets the dumpable flag. */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  return 0;
}

/* What serving needs: memory, threads, time, files (config, rules cache,
 * the database, CA certificates, resolv.conf), sockets and epoll. */
static const int allowed[] = {
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(pread64),
    SCMP_SYS(pwrite64),
    SCMP_SYS(close),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(statx),
    SCMP_SYS(lseek),
    SCMP_SYS(stat),
    SCMP_SYS(lstat),
    SCMP_SYS(fstatfs),
    SCMP_SYS(statfs),
    SCMP_SYS(mmap),
    SCMP_SYS(munmap),
    SCMP_SYS(mprotect),
    SCMP_SYS(mremap),
    SCMP_SYS(madvise),
    SCMP_SYS(brk),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(rt_sigtimedwait),
    SCMP_SYS(sigaltstack),
    SCMP_SYS(ioctl),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(select),
    SCMP_SYS(pselect6),
    SCMP_SYS(epoll_create1),
    SCMP_SYS(epoll_ctl),
    SCMP_SYS(epoll_wait),
    SCMP_SYS(epoll_pwait),
    SCMP_SYS(epoll_pwait2),
    SCMP_SYS(eventfd2),
    SCMP_SYS(socket),
    SCMP_SYS(connect),
    SCMP_SYS(accept),
    SCMP_SYS(accept4),
    SCMP_SYS(bind),
    SCMP_SYS(listen),
    SCMP_SYS(getsockname),
    SCMP_SYS(getpeername),
    SCMP_SYS(setsockopt),
    SCMP_SYS(getsockopt),
    SCMP_SYS(sendto),
    SCMP_SYS(recvfrom),
    SCMP_SYS(sendmsg),
    SCMP_SYS(recvmsg),
    SCMP_SYS(sendmmsg),
    SCMP_SYS(recvmmsg),
    SCMP_SYS(shutdown),
    SCMP_SYS(socketpair),
    SCMP_SYS(pipe),
    SCMP_SYS(pipe2),
    SCMP_SYS(fcntl),
    SCMP_SYS(dup),
    SCMP_SYS(dup2),
    SCMP_SYS(dup3),
    SCMP_SYS(open),
    SCMP_SYS(openat),
    SCMP_SYS(unlink),
    SCMP_SYS(unlinkat),
    SCMP_SYS(rename),
    SCMP_SYS(renameat),
    SCMP_SYS(renameat2),
    SCMP_SYS(mkdir),
    SCMP_SYS(mkdirat),
    SCMP_SYS(fsync),
    SCMP_SYS(fdatasync),
    SCMP_SYS(ftruncate),
    SCMP_SYS(fallocate),
    SCMP_SYS(flock),
    SCMP_SYS(access),
    SCMP_SYS(faccessat),
    SCMP_SYS(faccessat2),
    SCMP_SYS(readlink),
    SCMP_SYS(readlinkat),
    SCMP_SYS(getcwd),
    SCMP_SYS(getdents64),
    SCMP_SYS(umask),
    SCMP_SYS(fchmod),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(getppid),
    SCMP_SYS(getuid),
    SCMP_SYS(geteuid),
    SCMP_SYS(getgid),
    SCMP_SYS(getegid),
    SCMP_SYS(getrandom),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_getres),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(time),
    SCMP_SYS(futex),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(get_robust_list),
    SCMP_SYS(rseq),
    SCMP_SYS(clone),
    SCMP_SYS(clone3),
    SCMP_SYS(set_tid_address),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    SCMP_SYS(sched_yield),
    SCMP_SYS(sched_getaffinity),
    SCMP_SYS(prlimit64),
    SCMP_SYS(getrlimit),
    SCMP_SYS(uname),
    SCMP_SYS(sysinfo),
    SCMP_SYS(tgkill),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(timerfd_create),
    SCMP_SYS(timerfd_settime),
    SCMP_SYS(timerfd_gettime),
    SCMP_SYS(membarrier),
    SCMP_SYS(sendfile),
    SCMP_SYS(getpriority),
    SCMP_SYS(getrusage),
    SCMP_SYS(fchown),
    SCMP_SYS(fchownat),
};

/* Never done by aigate; done by whoever took it over. */
static const int fatal[] = {
    SCMP_SYS(execve),
    SCMP_SYS(execveat),
    SCMP_SYS(ptrace),
    SCMP_SYS(process_vm_readv),
    SCMP_SYS(process_vm_writev),
    SCMP_SYS(init_module),
    SCMP_SYS(finit_module),
    SCMP_SYS(kexec_load),
    SCMP_SYS(bpf),
    SCMP_SYS(mount),
    SCMP_SYS(setuid),
    SCMP_SYS(setgid),
};

int gw_seccomp(char *err, size_t len) {
  if (SANITIZED) {
    snprintf(err, len, "off in sanitizer builds");
    return 1;
  }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  if (!ctx) {
    snprintf(err, len, "seccomp_init failed");
    return -1;
  }
  /* TSYNC: every thread, also those started before (the store thread). */
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
  for (size_t i = 0; !rc && i < sizeof(allowed) / sizeof(*allowed); i++)
    if (allowed[i] >= 0) /* a call this architecture lacks is negative */
      rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
  for (size_t i = 0; !rc && i < sizeof(fatal) / sizeof(*fatal); i++)
    if (fatal[i] >= 0)
      rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, fatal[i], 0);
  /* kill only this process's own threads (signals to itself). */
  if (!rc) {
    struct scmp_arg_cmp self = {.arg = 0,
                                .op = SCMP_CMP_EQ,
                                .datum_a = (scmp_datum_t)getpid(),
                                .datum_b = 0};
    rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1, &self);
  }
  if (!rc)
    rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc) {
    snprintf(err, len, "cannot install the seccomp filter: %s", strerror(-rc));
    return -1;
  }
  return 0;
}
