/* The nonewprivs test image's program. Installed set-user-ID root and run
 * as another user, it prints the effective uid it got: 0 when the kernel
 * honoured the set-user-ID bit, the caller's uid under no_new_privs. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("Effective uid: %d\n", (int)geteuid());
    return 0;
}
