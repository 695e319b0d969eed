package io.stationmq.bridge;

import com.fazecast.jSerialComm.SerialPort;
import com.fazecast.jSerialComm.SerialPortInvalidPortException;
import java.io.IOException;
import java.time.Instant;

/**
 * A {@link SensorBridge} reading framed payloads from a serial line (a microcontroller, a GPS,
 * a vendor box) through jSerialComm: the device sends each payload as a frame of {@link
 * FrameCodec} ({@link Framing#COBS} or {@link Framing#SLIP}, with a {@link Checksum}); one frame
 * is one input. A frame with a bad check or framing, or longer than the codec allows, is counted
 * as malformed and the next frame is read normally. {@code captured} is the time of the read
 * that completed the frame.
 *
 * <p>The port is opened 8N1 at {@link Builder#baud} without flow control. A read error (the
 * device unplugged) ends serving with one error line ({@link #isServing()} turns false); the
 * bridge does not reopen the port. Thread-safety and failures as {@link Bridge}. Build and
 * start with {@link Builder#start()}.
 */
public final class SerialBridge extends SensorBridge {
  private static final int READ_TIMEOUT_MILLIS = 200;

  private final String device;
  private final int baud;
  private final FrameCodec codec;
  private SerialPort port;

  private SerialBridge(Builder b) {
    super(b);
    this.device = b.device;
    this.baud = b.baud;
    this.codec = b.codec;
  }

  /** A builder; {@code node}, {@code options} and {@code device} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The device path, such as {@code /dev/ttyUSB0} or {@code COM3}. */
  public String device() {
    return device;
  }

  public FrameCodec codec() {
    return codec;
  }

  @Override
  protected void initialize() throws IOException {
    SerialPort p;
    try {
      p = SerialPort.getCommPort(device);
    } catch (SerialPortInvalidPortException e) {
      throw new IOException("cannot open serial device " + device + ": no such port", e);
    }
    p.setComPortParameters(baud, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
    p.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
    p.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, READ_TIMEOUT_MILLIS, 0);
    if (!p.openPort()) {
      throw new IOException("cannot open serial device " + device + " (error " + p.getLastErrorCode()
          + "; does it exist, and may this user read it?)");
    }
    port = p;
  }

  @Override
  protected void serve() throws IOException {
    FrameDecoder decoder = codec.newDecoder();
    byte[] buffer = new byte[4096];
    Instant[] captured = new Instant[1];
    FrameDecoder.Sink sink = new FrameDecoder.Sink() {
      @Override
      public void frame(byte[] payload) {
        handle(payload, captured[0]);
      }

      @Override
      public void malformed(String reason) {
        reportMalformed(reason);
      }
    };
    while (!isStopping()) {
      int n = port.readBytes(buffer, buffer.length);
      if (n < 0) {
        if (isStopping()) {
          return;
        }
        throw new IOException("reading " + device + " failed (error " + port.getLastErrorCode() + ")");
      }
      if (n == 0) {
        idle();
        continue;
      }
      captured[0] = Instant.now();
      decoder.feed(buffer, 0, n, sink);
    }
  }

  @Override
  protected void interrupt() {
    // serve() reads with a timeout and looks at isStopping() after each read
  }

  @Override
  protected void release() {
    if (port != null) {
      port.closePort();
    }
  }

  @Override
  public String toString() {
    return "SerialBridge{" + name() + " on " + device + " at " + baud + " baud, " + codec + ", " + options() + "}";
  }

  /** Builds a {@link SerialBridge}. Not thread-safe. */
  public static final class Builder extends SensorBridge.Builder<Builder> {
    private String device;
    private int baud = 115_200;
    private FrameCodec codec = FrameCodec.of(Framing.COBS, Checksum.CRC16_CCITT, 4096);

    private Builder() {
      super("serial");
    }

    /** The device path (required), such as {@code /dev/ttyUSB0}, {@code /dev/ttyACM0} or {@code COM3}. */
    public Builder device(String device) {
      this.device = device;
      return this;
    }

    /** The baud rate, 1..10,000,000 (default 115,200). */
    public Builder baud(int baud) {
      this.baud = baud;
      return this;
    }

    /** The framing (default COBS with CRC-16/CCITT, payloads up to 4,096 bytes). */
    public Builder codec(FrameCodec codec) {
      this.codec = codec;
      return this;
    }

    /**
     * Builds the bridge, opens the device and starts serving.
     *
     * @throws IllegalArgumentException for a bad setting
     * @throws IOException when the device cannot be opened (then the node is closed if the
     *     bridge was to own it)
     */
    public SerialBridge start() throws IOException {
      check();
      if (device == null || device.isEmpty()) {
        throw new IllegalArgumentException("device is required");
      }
      if (baud < 1 || baud > 10_000_000) {
        throw new IllegalArgumentException("baud must be 1..10000000, got " + baud);
      }
      if (codec == null) {
        throw new IllegalArgumentException("codec must not be null");
      }
      SerialBridge bridge = new SerialBridge(this);
      bridge.start();
      return bridge;
    }
  }
}
