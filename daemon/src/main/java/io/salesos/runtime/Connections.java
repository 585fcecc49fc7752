package io.salesos.runtime;

import io.salesos.config.SalesosConfig.ConnectionConfig;
import io.salesos.config.SecretRef;
import io.salesos.mapping.Mapping;
import io.salesos.spi.ConnectorContext;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.ConnectorProvider;
import io.salesos.connection.CrmConnection;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;

/** Opens CRM connections: finds the connector type through ServiceLoader and wraps it in the resilience layer. */
public final class Connections {

  private Connections() {}

  public static List<ConnectorProvider> providers() {
    return ServiceLoader.load(ConnectorProvider.class).stream().map(ServiceLoader.Provider::get).toList();
  }

  public static ConnectorProvider provider(String type) {
    return providers().stream().filter(p -> p.type().equalsIgnoreCase(type)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no connector of type '" + type + "' in this build; known: "
            + providers().stream().map(ConnectorProvider::type).toList()));
  }

  /** A connection from the configuration, secrets resolved from the environment or files. */
  public static CrmConnection open(ConnectionConfig config, Function<String, String> env, Clock clock) {
    var secrets = SecretRef.resolveAll(config.secrets(), env);
    return open(config, config.settings(), secrets, clock);
  }

  /** A connection to a running sandbox: its settings and credentials come from the sandbox. */
  public static CrmConnection openSandbox(ConnectionConfig config, Map<String, String> sandboxSettings, Clock clock) {
    // the configuration's own settings win over the sandbox's
    var ctx = ConnectorContext.fromFlat(config.name(), clock, sandboxSettings, config.settings());
    return open(config, ctx.settings(), ctx.secrets(), clock);
  }

  private static CrmConnection open(ConnectionConfig config, Map<String, String> settings, Map<String, String> secrets,
      Clock clock) {
    var provider = provider(config.type());
    var mapping = Mapping.load(config.mapping());
    if (!mapping.crm().equalsIgnoreCase(config.type())) {
      throw new IllegalArgumentException(config.mapping() + " is a mapping for " + mapping.crm()
          + ", but the connection '" + config.name() + "' is of type " + config.type());
    }
    var context = new ConnectorContext(config.name(), settings, secrets, clock);
    try {
      var connector = provider.create(context);
      var resilient = new ResilientConnector(connector, ResilienceSettings.under(provider.rateBudget(context)));
      return new CrmConnection(config.name(), config.type(), resilient, mapping, config.readWrite());
    } catch (ConnectorException e) {
      throw new IllegalStateException("could not open the connection '" + config.name() + "': " + e.getMessage(), e);
    }
  }
}
