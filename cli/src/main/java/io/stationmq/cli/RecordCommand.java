package io.stationmq.cli;

import io.stationmq.netnode.NetNode;
import io.stationmq.record.ConversionReport;
import io.stationmq.record.PreparedRecorder;
import io.stationmq.record.Recorder;
import io.stationmq.record.RecorderStats;
import io.stationmq.record.RecordingException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code stationmq record}: records streams and messages sent to a node into an HDF5 file, or recovers a killed recording. */
@Command(name = "record", mixinStandardHelpOptions = true,
    header = "Records the streams and messages sent to a node into one HDF5 file.",
    description = "Runs a NetNode with id --id and records the stream samples under each --stream KEY and the "
        + "messages under each --key KEY that are sent to it, until Ctrl-C, --duration or --count, into --out (HDF5, "
        + "readable with h5py or MATLAB without stationmq). While it runs it writes a journal (--out plus "
        + ".journal), flushed to disk every --flush-interval; if the recorder is killed, "
        + "'record --recover JOURNAL' turns the journal into the HDF5 file. It records only what is "
        + "sent to --id (producers address it, e.g. StreamOptions.to(ID)); it does not subscribe to topics. Its node "
        + "listens from the moment it connects: a producer already streaming to --id loses nothing after that.")
final class RecordCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--connect", paramLabel = "HOST:PORT", description = "The Station to connect to (not with --recover).")
  String connect;

  @Option(names = "--upstream-id", paramLabel = "ID", description = "The id of the Station at --connect.")
  String upstreamId;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "3",
      description = "How long to wait for the Station to answer (default: 3).")
  double connectTimeout;

  @Option(names = "--id", paramLabel = "NODE_ID", defaultValue = "recorder",
      description = "This node's id: the one producers send to (default: recorder).")
  String id;

  @Option(names = "--stream", paramLabel = "KEY", description = "A stream key to record (repeatable).")
  List<String> streams = new ArrayList<>();

  @Option(names = "--key", paramLabel = "KEY", description = "A message key to record whole (repeatable).")
  List<String> keys = new ArrayList<>();

  @Option(names = "--out", paramLabel = "FILE", description = "The HDF5 file to write (with --recover: default the "
      + "journal's name without .journal).")
  Path out;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
      description = "Stop after this long (default: 0, until Ctrl-C).")
  double duration;

  @Option(names = "--count", paramLabel = "N", defaultValue = "0",
      description = "Stop once N samples and messages are recorded (default: 0, no limit).")
  long count;

  @Option(names = "--flush-interval", paramLabel = "SECONDS", defaultValue = "1",
      description = "How often the journal is forced to disk: at most this much is lost if the recorder is killed (default: 1).")
  double flushInterval;

  @Option(names = "--buffer-mb", paramLabel = "MB", defaultValue = "64",
      description = "Memory for samples waiting for the disk; beyond it samples are dropped and counted (default: 64).")
  long bufferMb;

  @Option(names = "--subject", paramLabel = "NAME", description = "A subject attribute for the file.")
  String subject;

  @Option(names = "--pilot", paramLabel = "NAME", description = "A pilot attribute for the file.")
  String pilot;

  @Option(names = "--keep-journal", description = "Keep the journal after the HDF5 file is written.")
  boolean keepJournal;

  @Option(names = "--recover", paramLabel = "JOURNAL",
      description = "Turn the journal of a killed recording into its HDF5 file (every complete record) and exit.")
  Path recover;

  @Override
  public Integer call() throws Exception {
    if (recover != null) {
      return recover();
    }
    if (connect == null || upstreamId == null || out == null) {
      throw new ParameterException(spec.commandLine(), "record needs --connect, --upstream-id and --out (or --recover JOURNAL)");
    }
    if (streams.isEmpty() && keys.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "record needs at least one --stream or --key");
    }
    if (duration != 0) {
      Check.seconds(spec, "--duration", duration);
    }
    Check.seconds(spec, "--flush-interval", flushInterval);
    Check.range(spec, "--count", count, 0, Long.MAX_VALUE);
    Check.range(spec, "--buffer-mb", bufferMb, 1, 1 << 20);
    Connect c = new Connect();
    c.connect = connect;
    c.upstreamId = upstreamId;
    c.connectTimeout = connectTimeout;
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    Recorder.Builder b = Recorder.builder().file(out).streams(streams).keys(keys)
        .flushInterval(Duration.ofMillis(Math.max(1, (long) (flushInterval * 1000)))).bufferBytes(bufferMb << 20)
        .keepJournal(keepJournal);
    if (subject != null) {
      b.header("subject", subject);
    }
    if (pilot != null) {
      b.header("pilot", pilot);
    }
    // The recorder's listens are on the node before it connects, so nothing sent to --id between
    // the connection and the recorder's start is lost. Converting a long recording takes a
    // while: Ctrl-C waits for it up to a minute.
    try (Foreground foreground = new Foreground("record", Duration.ofMinutes(1));
         PreparedRecorder prepared = prepare(b);
         NetNode node = c.open(spec, id, nb -> prepared.listens().forEach(nb::listen))) {
      long start = System.nanoTime();
      Recorder recorder = prepared.start(node);
      err.println("record: streams " + streams + " and keys " + keys + " sent to '" + id + "' via " + upstreamId + " at "
          + connect + " into " + out + " (journal " + recorder.journal() + ")");
      err.flush();
      awaitEnd(foreground, recorder, start);
      RecorderStats stats = recorder.stats();
      ConversionReport report;
      try {
        report = recorder.finish();
      } catch (RecordingException e) {
        throw new CliException(Main.FAILURE, e.getMessage() + " (turn it into HDF5 with: stationmq record --recover "
            + recorder.journal() + ")");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      stdout.printf("recorded %d samples in %d stream(s) and %d messages in %.1f s into %s; %d stream batches lost "
          + "on the way, %d samples and %d messages dropped (the writer's queue was full)%n", report.samples(),
          report.streams(), report.messages(), seconds, report.file(), stats.lostBatches(), stats.droppedSamples(),
          stats.droppedMessages());
      stdout.flush();
      return 0;
    }
  }

  private static PreparedRecorder prepare(Recorder.Builder b) {
    try {
      return b.prepare();
    } catch (IllegalArgumentException | RecordingException e) {
      throw new CliException(Main.FAILURE, e.getMessage());
    }
  }

  /** Waits for Ctrl-C, --duration or --count, whichever comes first. */
  private void awaitEnd(Foreground foreground, Recorder recorder, long start) throws InterruptedException {
    long end = duration > 0 ? start + (long) (duration * 1e9) : Long.MAX_VALUE;
    while (true) {
      long left = end == Long.MAX_VALUE ? Long.MAX_VALUE : end - System.nanoTime();
      if (left <= 0 || (count > 0 && recorder.stats().samples() + recorder.stats().messages() >= count)) {
        return;
      }
      // --count is checked every 100 ms; without it the wait is for a signal or the duration only.
      Duration wait = count > 0 ? Duration.ofMillis(100) : Duration.ofNanos(left);
      if (foreground.awaitStop(wait.compareTo(Duration.ofNanos(left)) < 0 ? wait : Duration.ofNanos(left))) {
        return;
      }
    }
  }

  private int recover() {
    Path target = out;
    if (target == null) {
      String name = recover.getFileName().toString();
      if (!name.endsWith(".journal") || name.length() == ".journal".length()) {
        throw new ParameterException(spec.commandLine(), "--recover " + recover + " does not end in .journal: give --out");
      }
      target = recover.resolveSibling(name.substring(0, name.length() - ".journal".length()));
    }
    ConversionReport r;
    try {
      r = Recorder.recover(recover, target);
    } catch (RecordingException e) {
      throw new CliException(Main.FAILURE, e.getMessage());
    }
    spec.commandLine().getOut().printf("recovered %d samples in %d stream(s) and %d messages from %d records into %s%s%n",
        r.samples(), r.streams(), r.messages(), r.records(), r.file(),
        r.droppedTailBytes() > 0 ? "; " + r.droppedTailBytes() + " bytes of a torn last record dropped" : "");
    return 0;
  }
}
