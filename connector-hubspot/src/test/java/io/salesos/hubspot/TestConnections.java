package io.salesos.hubspot;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.spi.ConnectorContext;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.PullBatch;
import io.salesos.spi.PullRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Connects a connector to a sandbox the way a configuration file would, from its connection settings. */
final class TestConnections {

  private TestConnections() {}

  static HubSpotConnector connect(HubSpotSandbox sandbox, Map<String, String> extraSettings) {
    var ctx = ConnectorContext.fromFlat("hs-test", sandbox.clock(), sandbox.connectionSettings(),
        Map.of("search_per_second", "1000"), extraSettings);
    try {
      return (HubSpotConnector) new HubSpotConnectorProvider()
          .create(ctx);
    } catch (ConnectorException e) {
      throw new IllegalStateException(e);
    }
  }

  static HubSpotConnector connect(HubSpotSandbox sandbox) {
    return connect(sandbox, Map.of());
  }

  /** Pulls until the connector says there is no more, saving the checkpoint after each batch. */
  static List<PullBatch> drain(HubSpotConnector connector, PullRequest first) throws ConnectorException {
    var batches = new ArrayList<PullBatch>();
    var request = first;
    for (int i = 0; i < 100_000; i++) {
      var batch = connector.pull(request);
      batches.add(batch);
      if (!batch.hasMore()) {
        return batches;
      }
      request = new PullRequest(request.crmObject(), request.fields(), batch.next(), request.maxRecords());
    }
    throw new AssertionError("pull never finished");
  }
}
