package io.salesos.hubspot;

import io.salesos.spi.Connector;
import io.salesos.spi.ConnectorContext;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.ConnectorProvider;
import io.salesos.spi.RateBudget;
import java.time.Duration;

/** Makes HubSpot connections (type {@code hubspot}) known to core via ServiceLoader. */
public final class HubSpotConnectorProvider implements ConnectorProvider {

  @Override
  public String type() {
    return "hubspot";
  }

  @Override
  public Connector create(ConnectorContext context) throws ConnectorException {
    try {
      return new HubSpotConnector(context.name(), HubSpotSettings.from(context), context.clock());
    } catch (IllegalArgumentException e) {
      throw new ConnectorException(ConnectorException.Kind.PERMANENT, e.getMessage(), e);
    }
  }

  /** The burst HubSpot allows per 10 s for the connection's tier (an unknown tier fails in {@link #create}). */
  @Override
  public RateBudget rateBudget(ConnectorContext context) {
    var tier = HubSpotTier.parse(context.setting("tier").orElse("professional"));
    return new RateBudget(tier.burst(), Duration.ofMillis(HubSpotTier.INTERVAL_MILLIS));
  }
}
