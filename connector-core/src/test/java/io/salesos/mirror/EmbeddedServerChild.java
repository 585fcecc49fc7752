package io.salesos.mirror;

import java.nio.file.Path;

/** A process that starts the embedded MariaDB on a data folder, says so, and waits to be killed: a daemon in miniature. */
final class EmbeddedServerChild {

  private EmbeddedServerChild() {}

  public static void main(String[] args) throws InterruptedException {
    var server = EmbeddedMariaDb.start(Path.of(args[0]), "salesos");
    System.out.println("embedded-server ready port=" + server.port());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
