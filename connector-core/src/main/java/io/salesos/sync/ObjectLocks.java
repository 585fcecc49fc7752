package io.salesos.sync;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per CRM object of a connection, held while that object is pulled or reconciled: the
 * scheduled pull, the push's refresh before a conflict check and the nightly reconcile may all
 * reach the same object from different threads, and two pulls from one checkpoint would each
 * store their own, moving the cursor back.
 */
final class ObjectLocks {

  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  /** {@code body}'s answer, run while holding the lock of that object. */
  <T> T holding(String source, String crmObject, java.util.function.Supplier<T> body) {
    var lock = locks.computeIfAbsent(source + "\u0000" + crmObject, k -> new ReentrantLock(true));
    lock.lock();
    try {
      return body.get();
    } finally {
      lock.unlock();
    }
  }
}
