package io.salesos.salesforce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.sforce.async.BatchInfo;
import com.sforce.async.BatchStateEnum;
import com.sforce.async.BulkConnection;
import com.sforce.async.ContentType;
import com.sforce.async.JobInfo;
import com.sforce.async.OperationEnum;
import com.sforce.ws.ConnectorConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bulk API 1.0 query batches take relationship fields (dotted CSV columns) but not aggregate
 * functions, parent-to-child subqueries or OFFSET: such a batch fails with the query error in its
 * state message. Sources: "Use Bulk Query",
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/asynch_api_using_bulk_query.htm
 * and "OFFSET" (not allowed in SOQL used within Bulk APIs),
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_offset.htm
 */
class Bulk1QueryConformanceTest {

  static ConformanceOrg org;
  static BulkConnection bulk;

  @BeforeAll
  static void seed() throws Exception {
    org = new ConformanceOrg();
    var acme = org.create("Account", "Name", "Bulk One Co");
    org.create("Contact", "LastName", "Ada", "AccountId", acme);
    var config = new ConnectorConfig();
    config.setSessionId(org.login().getConfig().getSessionId());
    config.setRestEndpoint(org.sandbox.baseUrl() + "/services/async/" + org.sandbox.apiVersion());
    bulk = new BulkConnection(config);
  }

  @AfterAll
  static void stop() {
    org.close();
  }

  private static BatchInfo run(String object, String soql) throws Exception {
    var job = new JobInfo();
    job.setObject(object);
    job.setOperation(OperationEnum.query);
    job.setContentType(ContentType.CSV);
    job = bulk.createJob(job);
    var batch = bulk.createBatchFromStream(job, new ByteArrayInputStream(soql.getBytes(StandardCharsets.UTF_8)));
    return bulk.getBatchInfo(job.getId(), batch.getId());
  }

  @Test
  void aParentFieldIsADottedColumn() throws Exception {
    var batch = run("Contact", "SELECT LastName, Account.Name FROM Contact");
    assertThat(batch.getState()).isEqualTo(BatchStateEnum.Completed);
    var results = bulk.getQueryResultList(batch.getJobId(), batch.getId()).getResult();
    var csv = new String(bulk.getQueryResultStream(batch.getJobId(), batch.getId(), results[0]).readAllBytes(),
        StandardCharsets.UTF_8);
    assertThat(csv).isEqualTo("\"LastName\",\"Account.Name\"\n\"Ada\",\"Bulk One Co\"\n");
  }

  @Test
  void anAggregateQueryFailsTheBatch() throws Exception {
    var batch = run("Contact", "SELECT AccountId, COUNT(Id) FROM Contact GROUP BY AccountId");
    assertThat(batch.getState()).isEqualTo(BatchStateEnum.Failed);
    assertThat(batch.getStateMessage()).contains("InvalidBatch");
  }

  @Test
  void aSubqueryFailsTheBatch() throws Exception {
    var batch = run("Account", "SELECT Name, (SELECT Id FROM Contacts) FROM Account");
    assertThat(batch.getState()).isEqualTo(BatchStateEnum.Failed);
  }

  @Test
  void offsetFailsTheBatch() throws Exception {
    var batch = run("Account", "SELECT Name FROM Account OFFSET 1");
    assertThat(batch.getState()).isEqualTo(BatchStateEnum.Failed);
  }
}
