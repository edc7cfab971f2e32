/*
 * test_upsock.c -- unit tests for the upstream sockets' registrations in
 * a worker's epoll (src/gateway/upsock.c), on a real epoll and real
 * sockets: what libcurl asks to watch is watched, a socket libcurl stops
 * watching while it reads stays registered (parked) and leaves at its
 * first event, a socket watched for writing leaves at once, a socket
 * libcurl did not open through gw_upsock_open is never parked, and a
 * descriptor closed through gw_upsock_close and reused by another socket
 * is registered as that one needs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "upsock.h"

typedef struct {
  gw_worker w;
  int sv[2]; /* sv[0]: an upstream connection opened through
                gw_upsock_open; sv[1]: the server's end */
} fixture;

static int setup(void **state) {
  static fixture f;
  memset(&f, 0, sizeof(f));
  f.w.epfd = epoll_create1(EPOLL_CLOEXEC);
  assert_true(f.w.epfd >= 0);
  /* A listener on an abstract Unix address plays the upstream. */
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  int n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,
                   "aigate-test-upsock-%d", (int)getpid());
  socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  assert_true(l >= 0);
  assert_int_equal(bind(l, (struct sockaddr *)&sa, len), 0);
  assert_int_equal(listen(l, 1), 0);
  struct curl_sockaddr addr = {
      .family = AF_UNIX, .socktype = SOCK_STREAM, .protocol = 0};
  f.sv[0] = gw_upsock_open(&f.w, CURLSOCKTYPE_IPCXN, &addr);
  assert_true(f.sv[0] >= 0);
  assert_int_equal(connect(f.sv[0], (struct sockaddr *)&sa, len), 0);
  f.sv[1] = accept(l, NULL, NULL);
  assert_true(f.sv[1] >= 0);
  close(l);
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  if (f->sv[0] >= 0)
    assert_int_equal(gw_upsock_close(&f->w, f->sv[0]), 0);
  close(f->sv[1]);
  close(f->w.epfd);
  gw_upsock_free(&f->w);
  return 0;
}

/* Whether fd is in the epoll (an ADD would fail with EEXIST); the epoll
 * is left as it was. */
static int in_epoll(int epfd, int fd) {
  struct epoll_event ev = {.events = EPOLLIN};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    return 0;
  }
  assert_int_equal(errno, EEXIST);
  return 1;
}

/* The socket of the one event ready now, or -1 when none is. */
static int ready(int epfd) {
  struct epoll_event ev;
  int n = epoll_wait(epfd, &ev, 1, 0);
  if (n <= 0)
    return -1;
  assert_int_equal(ev.data.u64 & 7u, GW_TAG_CURL);
  return (int)(ev.data.u64 >> 3);
}

/* A transfer on s that read its answer and ended. */
static void watch_then_forget(fixture *f, int s) {
  gw_upsock_cb(NULL, s, CURL_POLL_IN, &f->w, NULL);
  gw_upsock_cb(NULL, s, CURL_POLL_REMOVE, &f->w, NULL);
}

static void test_watch_and_park(void **state) {
  fixture *f = *state;
  int s = f->sv[0];
  assert_int_equal(gw_upsock_cb(NULL, s, CURL_POLL_IN, &f->w, NULL), 0);
  assert_true(in_epoll(f->w.epfd, s));
  assert_int_equal(ready(f->w.epfd), -1);
  assert_int_equal(write(f->sv[1], "x", 1), 1);
  assert_int_equal(ready(f->w.epfd), s);
  assert_int_equal(gw_upsock_event(&f->w, s), 1); /* libcurl's */
  char c;
  assert_int_equal(read(s, &c, 1), 1);

  /* The transfer ends: the idle connection stays registered. */
  assert_int_equal(gw_upsock_cb(NULL, s, CURL_POLL_REMOVE, &f->w, NULL), 0);
  assert_true(in_epoll(f->w.epfd, s));
  assert_int_equal(ready(f->w.epfd), -1);

  /* The next transfer on it finds its registration in place. */
  assert_int_equal(gw_upsock_cb(NULL, s, CURL_POLL_IN, &f->w, NULL), 0);
  assert_int_equal(write(f->sv[1], "y", 1), 1);
  assert_int_equal(ready(f->w.epfd), s);
  assert_int_equal(gw_upsock_event(&f->w, s), 1);
}

static void test_parked_socket_leaves_on_event(void **state) {
  fixture *f = *state;
  int s = f->sv[0];
  watch_then_forget(f, s);
  close(f->sv[1]); /* the upstream closes the idle connection */
  f->sv[1] = -1;
  assert_int_equal(ready(f->w.epfd), s);
  assert_int_equal(gw_upsock_event(&f->w, s), 0); /* not for libcurl */
  assert_false(in_epoll(f->w.epfd, s));
  assert_int_equal(ready(f->w.epfd), -1);
  /* libcurl may still watch it again (to find it closed). */
  gw_upsock_cb(NULL, s, CURL_POLL_IN, &f->w, NULL);
  assert_true(in_epoll(f->w.epfd, s));
  assert_int_equal(ready(f->w.epfd), s);
  assert_int_equal(gw_upsock_event(&f->w, s), 1);
}

static void test_writer_is_removed(void **state) {
  fixture *f = *state;
  int s = f->sv[0];
  gw_upsock_cb(NULL, s, CURL_POLL_INOUT, &f->w, NULL);
  assert_int_equal(ready(f->w.epfd), s); /* writable */
  gw_upsock_cb(NULL, s, CURL_POLL_OUT, &f->w, NULL);
  assert_true(in_epoll(f->w.epfd, s));
  gw_upsock_cb(NULL, s, CURL_POLL_REMOVE, &f->w, NULL);
  assert_false(in_epoll(f->w.epfd, s));
  assert_int_equal(ready(f->w.epfd), -1);
  /* From writing to reading: the registration follows. */
  gw_upsock_cb(NULL, s, CURL_POLL_OUT, &f->w, NULL);
  gw_upsock_cb(NULL, s, CURL_POLL_IN, &f->w, NULL);
  assert_int_equal(ready(f->w.epfd), -1); /* not readable, not watched
                                              for writing */
}

static void test_not_ours_never_parked(void **state) {
  fixture *f = *state;
  int sp[2]; /* as the threaded resolver's socket pair */
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
  gw_upsock_cb(NULL, sp[0], CURL_POLL_IN, &f->w, NULL);
  assert_true(in_epoll(f->w.epfd, sp[0]));
  assert_int_equal(write(sp[1], "x", 1), 1);
  assert_int_equal(ready(f->w.epfd), sp[0]);
  assert_int_equal(gw_upsock_event(&f->w, sp[0]), 1);
  gw_upsock_cb(NULL, sp[0], CURL_POLL_REMOVE, &f->w, NULL);
  assert_false(in_epoll(f->w.epfd, sp[0]));
  close(sp[0]);
  close(sp[1]);
}

static void test_reused_descriptor(void **state) {
  fixture *f = *state;
  int s = f->sv[0];
  watch_then_forget(f, s);
  assert_true(in_epoll(f->w.epfd, s));
  assert_int_equal(gw_upsock_close(&f->w, s), 0);
  f->sv[0] = -1;
  /* s is among the lowest free descriptors: a socket not ours gets it. */
  int sp[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
  int mine = sp[0] == s ? 0 : 1;
  assert_int_equal(sp[mine], s);
  assert_false(in_epoll(f->w.epfd, s));
  gw_upsock_cb(NULL, s, CURL_POLL_IN, &f->w, NULL);
  assert_true(in_epoll(f->w.epfd, s));
  assert_int_equal(write(sp[1 - mine], "x", 1), 1);
  assert_int_equal(ready(f->w.epfd), s);
  gw_upsock_cb(NULL, s, CURL_POLL_REMOVE, &f->w, NULL);
  assert_false(in_epoll(f->w.epfd, s));
  close(sp[0]);
  close(sp[1]);
}

static void test_remove_unknown(void **state) {
  fixture *f = *state;
  /* A socket libcurl never asked for, and one far past the table. */
  assert_int_equal(gw_upsock_cb(NULL, f->sv[0], CURL_POLL_REMOVE, &f->w, NULL),
                   0);
  assert_false(in_epoll(f->w.epfd, f->sv[0]));
  assert_int_equal(gw_upsock_event(&f->w, 100000), 1);
  assert_int_equal(gw_upsock_event(&f->w, -1), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_watch_and_park, setup, teardown),
      cmocka_unit_test_setup_teardown(test_parked_socket_leaves_on_event, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_writer_is_removed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_not_ours_never_parked, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_reused_descriptor, setup, teardown),
      cmocka_unit_test_setup_teardown(test_remove_unknown, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
