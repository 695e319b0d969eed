package io.stationmq.netnode.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened, closed in reverse order at its end, then a check that no endpoint thread
 * is left. Used by one test thread.
 */
public final class Closer {
  private final List<AutoCloseable> open = new ArrayList<>();

  /** Remembers {@code c} to close at the end; returns it. */
  public <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  /** Closes everything tracked, newest first, then asserts no thread is left. */
  public void closeAllAndCheckThreads() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    open.clear();
    Threads.assertNoneLeft();
  }
}
