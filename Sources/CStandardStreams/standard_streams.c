// Runs before main and before Swift's concurrency runtime opens its first descriptors: a closed standard
// stream would otherwise be taken by the runtime's epoll or eventfd, or by a data file, and receive what was
// meant for the terminal.
#include "standard_streams.h"

#include <fcntl.h>
#include <unistd.h>

static int closed_at_start = 0;

__attribute__((constructor)) static void jump_guard_standard_streams(void) {
    for (int descriptor = 0; descriptor <= 2; descriptor++) {
        if (fcntl(descriptor, F_GETFD) >= 0) continue;
        closed_at_start |= 1 << descriptor;
        int opened = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY);
        if (opened >= 0 && opened != descriptor) {
            dup2(opened, descriptor);
            close(opened);
        }
    }
}

int jump_standard_streams_closed_at_start(void) { return closed_at_start; }
