#ifndef JUMP_STANDARD_STREAMS_H
#define JUMP_STANDARD_STREAMS_H

/// Bit n is set when descriptor n (standard input, output, error) was closed when the process started; each
/// such descriptor was then opened on /dev/null before any other code could take its number.
int jump_standard_streams_closed_at_start(void);

#endif
