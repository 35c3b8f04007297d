#include <libical/ical.h>
#include <libical/icalss.h>
