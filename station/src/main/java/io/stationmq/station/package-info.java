/** stationmq station module. */
package io.stationmq.station;
