package io.salesos.hubspot.sandbox;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.SandboxProvider;

/** Starts a HubSpot sandbox seeded with a demo org, for {@code salesos demo} and {@code salesos sandbox hubspot}. */
public final class HubSpotSandboxProvider implements SandboxProvider {

  /**
   * The currencies of the {@code --seed stock} portal (call {@link HubSpotSandbox#stockPortal} too):
   * USD the company currency and EUR at 1.25 dollars to the euro, as in the stock Salesforce org; a
   * seeded demo org's European team then sells in euros.
   */
  public static HubSpotSandbox.Options stockCurrencies(HubSpotSandbox.Options options) {
    return options.withCurrencies("USD", java.util.List.of(new ExchangeRate("EUR", new java.math.BigDecimal("1.25"),
        java.time.Instant.parse("2020-01-01T00:00:00Z"))));
  }

  @Override
  public String type() {
    return "hubspot";
  }

  @Override
  public Sandbox start(int port, DemoOrg seed) {
    // nothing reads the request log of a standalone or demo sandbox
    var options = HubSpotSandbox.Options.defaults().withPort(port).withoutRequestLog();
    // benchmarks measure salesos's own ingest, not HubSpot's published rate limits
    if ("unlimited".equals(System.getProperty("salesos.sandbox.limits"))) {
      options = options.withLimits(RateLimits.unlimited());
    }
    if (Boolean.getBoolean(BARE_PROPERTY)) {
      options = options.withoutSalesosProperties();
    }
    if (Boolean.getBoolean(STOCK_PROPERTY)) {
      options = stockCurrencies(options);
    }
    var sandbox = HubSpotSandbox.start(options);
    if (Boolean.getBoolean(STOCK_PROPERTY)) {
      sandbox.stockPortal();
    }
    if (seed != null) {
      sandbox.seed(seed);
    }
    return sandbox;
  }
}
