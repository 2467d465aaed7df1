#pragma once
#include <cstdio>
#include <cstring>
#include <unistd.h>
inline void NjRss(const char* what) {
  FILE* f = fopen("/proc/self/statm", "r"); long a=0,b=0; if (f) { if (fscanf(f, "%ld %ld", &a, &b) != 2) b = 0; fclose(f); }
  fprintf(stderr, "RSS %-28s %6.1f MB ", what, b * 4096.0 / 1048576);
  FILE* g = fopen("/proc/self/status", "r"); char line[256];
  while (g && fgets(line, sizeof line, g)) if (!strncmp(line, "RssAnon", 7) || !strncmp(line, "RssFile", 7)) { line[strlen(line)-1]=' '; fputs(line, stderr); }
  if (g) fclose(g); fputc('\n', stderr);
}
