package io.salesos.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP forwarder in front of a real server, for tests of a database that goes away: open, it
 * passes bytes both ways; {@link #cut() cut}, it severs every connection and accepts new ones
 * without ever answering, as a server that hangs or a dropped network does.
 */
public final class TcpGate implements AutoCloseable {

  private final ServerSocket listener;
  private final int targetPort;
  private final List<Socket> sockets = new ArrayList<>();
  private volatile boolean open = true;

  public TcpGate(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    var accept = new Thread(this::acceptLoop, "tcp-gate-" + port());
    accept.setDaemon(true);
    accept.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Severs every connection; new ones are accepted and left unanswered until {@link #restore()}. */
  public void cut() {
    open = false;
    closeAll();
  }

  /** Forwards again; connections held unanswered meanwhile are closed. */
  public void restore() {
    closeAll();
    open = true;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        var client = listener.accept();
        track(client);
        if (!open) {
          continue; // held: accepted, never answered
        }
        var server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        track(server);
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        // the listener closed, or the target refused: the client sees its connection drop
      }
    }
  }

  private void pump(Socket from, Socket to) {
    var t = new Thread(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // one side closed
      } finally {
        quietly(from);
        quietly(to);
      }
    }, "tcp-gate-pump");
    t.setDaemon(true);
    t.start();
  }

  private synchronized void track(Socket s) {
    sockets.add(s);
  }

  private synchronized void closeAll() {
    sockets.forEach(TcpGate::quietly);
    sockets.clear();
  }

  private static void quietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    closeAll();
  }
}
