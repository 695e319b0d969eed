/**
 * The {@code stationmq} command line. {@link io.stationmq.cli.Main} is the entry point; each
 * subcommand is one class. Not a library API.
 */
package io.stationmq.cli;
