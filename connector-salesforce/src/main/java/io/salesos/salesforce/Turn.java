package io.salesos.salesforce;

import io.salesos.spi.ConnectorException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connector's one-call-at-a-time turn: force-wsc's connections, the session's re-login and
 * the open Bulk result streams are shared state, so every call on the org runs holding it. The
 * connector holds it per call, not per pull, so a Bulk job's wait between polls leaves it free
 * for pushes and other pulls. Fair, so no caller starves.
 */
final class Turn {

  /** Work on the org that may fail as a connector call does. */
  interface Work<T> {
    T run() throws ConnectorException;
  }

  private final ReentrantLock lock = new ReentrantLock(true);

  <T> T take(Work<T> work) throws ConnectorException {
    lock.lock();
    try {
      return work.run();
    } finally {
      lock.unlock();
    }
  }

  /** As {@link #take}, for work that cannot fail as a connector call (closing, logging out). */
  void run(Runnable work) {
    lock.lock();
    try {
      work.run();
    } finally {
      lock.unlock();
    }
  }
}
