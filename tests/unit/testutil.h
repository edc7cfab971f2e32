/*
 * testutil.h -- helpers shared by the unit tests (header-only: each test
 * file is its own executable).
 */
#ifndef AIGATE_TESTUTIL_H
#define AIGATE_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Remove a directory the test made, with everything in it. */
static inline void rm_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    if (n < 0 || (size_t)n >= sizeof(path))
      continue;
    if (unlink(path) < 0)
      rm_tree(path);
  }
  closedir(d);
  rmdir(dir);
}

#endif
