package io.salesos.spi;

/**
 * Creates connectors of one CRM type; found through {@link java.util.ServiceLoader}, so core
 * never imports a connector (list implementations in {@code
 * META-INF/services/io.salesos.spi.ConnectorProvider}).
 */
public interface ConnectorProvider {

  /** The CRM type this provider serves, as written in the configuration: {@code salesforce}, {@code hubspot}. */
  String type();

  /** A connector for one configured connection. */
  Connector create(ConnectorContext context) throws ConnectorException;

  /**
   * The request rate the CRM publishes for this connection (HubSpot: the tier's burst per 10 s);
   * core's rate limiter stays under it.
   */
  default RateBudget rateBudget(ConnectorContext context) {
    return new RateBudget(25, java.time.Duration.ofSeconds(1));
  }
}
