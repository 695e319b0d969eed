/** stationmq examples module. */
package io.stationmq.examples;
