/** stationmq bench module. */
package io.stationmq.bench;
