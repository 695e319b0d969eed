/**
 * Ingress bridges: devices that speak UDP or a serial line join a stationmq network without
 * socket code of their own. Start with {@link io.stationmq.bridge.UdpBridge} or {@link
 * io.stationmq.bridge.SerialBridge} (both {@link io.stationmq.bridge.SensorBridge}s); write a
 * bridge for another input by extending {@link io.stationmq.bridge.Bridge}. What every bridge
 * shares (key, recipient, stream or confirmed delivery, {@code every N}, a rate limit) is in
 * {@link io.stationmq.bridge.BridgeOptions}; its counters in {@link
 * io.stationmq.bridge.BridgeStats}. {@link io.stationmq.bridge.FrameCodec} frames payloads for
 * a serial line (COBS or SLIP with a CRC) on either side.
 *
 * <p>Built on the public API of {@code io.stationmq.netnode} only.
 */
package io.stationmq.bridge;
