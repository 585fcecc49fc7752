package io.salesos.hubspot.sandbox;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.SandboxProvider;

/** Starts a HubSpot sandbox seeded with a demo org, for {@code salesos demo} and {@code salesos sandbox hubspot}. */
public final class HubSpotSandboxProvider implements SandboxProvider {

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
