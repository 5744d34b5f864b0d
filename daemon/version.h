/* version.h - the release this tree builds */
#define LWIPD_VERSION "0.1.0"
