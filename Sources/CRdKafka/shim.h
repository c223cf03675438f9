// The C surface of librdkafka that JumpKafka wraps. Only JumpKafka imports this module.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
