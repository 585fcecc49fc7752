package io.salesos.hubspot.sandbox;

import io.salesos.demo.DemoOrg;
import io.salesos.spi.SandboxProvider;

/** Starts a HubSpot sandbox seeded with a demo org, for {@code salesos demo} and {@code salesos sandbox hubspot}. */
public final class HubSpotSandboxProvider implements SandboxProvider {

  @Override
  public Sandbox start(int port, DemoOrg seed) {
    var sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withPort(port));
    if (seed != null) {
      sandbox.seed(seed);
    }
    return sandbox;
  }
}
