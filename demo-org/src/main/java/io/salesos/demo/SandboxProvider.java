package io.salesos.demo;

import io.salesos.demo.DemoOrg;
import java.util.Map;

/**
 * Starts a local, stateful server that speaks a CRM's real wire format, seeded with canonical
 * demo records, so the demo and the tests need no real CRM. Found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.salesos.demo.SandboxProvider}) by the launcher that runs {@code demo} and
 * {@code sandbox}; the production daemon has none.
 */
public interface SandboxProvider {

  /** The CRM type this sandbox speaks, as a connection's {@code type} names it: {@code salesforce}, {@code hubspot}. */
  String type();

  /**
   * The system property that, set to {@code true}, starts sandboxes without the fields salesos
   * writes (`salesos sandbox CRM --without-salesos-fields`), to try `salesos schema prepare` on.
   */
  String BARE_PROPERTY = "salesos.sandbox.bare";

  /**
   * The system property that, set to {@code true}, starts sandboxes in their CRM's stock shape
   * (`--seed stock`): Salesforce's standard opportunity stages and no custom input fields; a HubSpot
   * portal with two deal pipelines of stock stage ids and no custom input properties. The seed is the
   * same generated org, its deals standing in those stages.
   */
  String STOCK_PROPERTY = "salesos.sandbox.stock";

  /** Every sandbox on the class path (the launcher's; the production daemon has none). */
  static java.util.List<SandboxProvider> all() {
    return java.util.ServiceLoader.load(SandboxProvider.class).stream().map(java.util.ServiceLoader.Provider::get).toList();
  }

  /** The sandbox of CRM {@code type}, when one is on the class path. */
  static java.util.Optional<SandboxProvider> of(String type) {
    return all().stream().filter(p -> p.type().equalsIgnoreCase(type)).findFirst();
  }

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
