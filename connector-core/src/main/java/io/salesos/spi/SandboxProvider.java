package io.salesos.spi;

import io.salesos.demo.DemoOrg;
import java.util.Map;

/**
 * Starts a local, stateful server that speaks a CRM's real wire format, seeded with canonical
 * demo records, so the demo and the tests need no real CRM.
 */
public interface SandboxProvider {

  /**
   * The system property that, set to {@code true}, starts sandboxes without the fields salesos
   * writes (`salesos sandbox CRM --without-salesos-fields`), to try `salesos schema prepare` on.
   */
  String BARE_PROPERTY = "salesos.sandbox.bare";

  /** Starts the sandbox on {@code port} (0 picks a free one) on the loopback interface. */
  Sandbox start(int port, DemoOrg seed) throws Exception;

  /** A running sandbox. */
  interface Sandbox extends AutoCloseable {

    /** The base URL a client connects to, e.g. {@code http://127.0.0.1:8089}. */
    String baseUrl();

    /**
     * The settings and secrets a salesos connection needs to reach this sandbox, as they would
     * appear in a configuration file ({@code secret.*} keys hold credentials).
     */
    Map<String, String> connectionSettings();

    /**
     * What salesos has written into this CRM, counted from the sandbox's own records (not from
     * salesos's counters): deals carrying salesos flags, tasks and visit plans it created.
     */
    default Map<String, Long> summary() {
      return Map.of();
    }

    /** Lines a person needs to connect another client (URL, user, password or token). */
    String describe();

    @Override
    void close();
  }
}
