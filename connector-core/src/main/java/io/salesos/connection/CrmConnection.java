package io.salesos.connection;

import io.salesos.mapping.Mapping;
import io.salesos.spi.Connector;
import java.util.Objects;

/**
 * One live CRM connection as the engine uses it: its name (the {@code source} of its mirror
 * rows), connector type, the connector wrapped in the resilience layer, and its field mapping.
 */
public record CrmConnection(String name, String type, Connector connector, Mapping mapping, boolean readWrite)
    implements AutoCloseable {

  public CrmConnection {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(connector, "connector");
    Objects.requireNonNull(mapping, "mapping");
  }

  @Override
  public void close() {
    connector.close();
  }
}
