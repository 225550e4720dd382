/* SPDX-License-Identifier: MIT
 *
 * main.c: the wspsim program; everything lives in wspsim_cli_main().
 */
#include "config.h"

#include <stdio.h>

#include "runner/scenario.h"

int
main(int argc, char **argv)
{
    return wspsim_cli_main(argc, argv, stdout, stderr);
}
