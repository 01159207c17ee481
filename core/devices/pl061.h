/* Arm PL061 GPIO: board devices drive its input lines. */
#ifndef KWB_PL061_H
#define KWB_PL061_H

/* Drives input line 0..7 of the PL061 dev (no effect on an output). */
void pl061_set_line(void *dev, int line, int level);

#endif
