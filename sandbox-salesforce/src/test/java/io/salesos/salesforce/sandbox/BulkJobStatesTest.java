package io.salesos.salesforce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sforce.async.AsyncApiException;
import com.sforce.async.AsyncExceptionCode;
import com.sforce.async.BatchStateEnum;
import com.sforce.async.BulkConnection;
import com.sforce.async.ContentType;
import com.sforce.async.JobInfo;
import com.sforce.async.JobStateEnum;
import com.sforce.async.OperationEnum;
import com.sforce.soap.partner.Connector;
import com.sforce.ws.ConnectorConfig;
import io.salesos.demo.DemoOrgGenerator;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bulk query jobs closed, aborted and held in the org's queue, as force-wsc's BulkConnection sees them. */
class BulkJobStatesTest {

  static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
  static SalesforceSandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = SalesforceSandbox.builder().clock(SandboxClock.frozenAt(NOW))
        .seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(NOW))).start();
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @BeforeEach
  void clearFaults() {
    sandbox.faults().clear();
  }

  @Test
  void aHeldBatchStaysQueuedAndAnAbortedJobNeverRunsIt() throws Exception {
    sandbox.faults().holdBulkBatchesQueued(true);
    var bulk = bulk();
    var job = queryJob(bulk);
    var batch = bulk.createBatchFromStream(job, soql("SELECT Id, Name FROM Account"));
    assertThat(bulk.getBatchInfo(job.getId(), batch.getId()).getState()).isEqualTo(BatchStateEnum.Queued);
    assertThat(bulk.getJobStatus(job.getId()).getNumberBatchesQueued()).isEqualTo(1);

    assertThat(bulk.closeJob(job.getId()).getState()).isEqualTo(JobStateEnum.Closed);
    assertThat(bulk.abortJob(job.getId()).getState()).isEqualTo(JobStateEnum.Aborted);
    sandbox.faults().holdBulkBatchesQueued(false);

    assertThat(bulk.getBatchInfo(job.getId(), batch.getId()).getState()).isEqualTo(BatchStateEnum.NotProcessed);
    assertThat(sandbox.faults().bulkJobs()).filteredOn(j -> j.id().equals(job.getId())).singleElement()
        .satisfies(j -> {
          assertThat(j.object()).isEqualTo("Account");
          assertThat(j.states()).containsExactly("Open", "Closed", "Aborted");
          assertThat(j.state()).isEqualTo("Aborted");
        });
  }

  @Test
  void aHeldBatchRunsOnceReleased() throws Exception {
    sandbox.faults().holdBulkBatchesQueued(true);
    var bulk = bulk();
    var job = queryJob(bulk);
    var batch = bulk.createBatchFromStream(job, soql("SELECT Id, Name FROM Account"));
    bulk.closeJob(job.getId());
    assertThat(bulk.getBatchInfo(job.getId(), batch.getId()).getState()).isEqualTo(BatchStateEnum.Queued);

    sandbox.faults().holdBulkBatchesQueued(false);

    var info = bulk.getBatchInfo(job.getId(), batch.getId());
    assertThat(info.getState()).isEqualTo(BatchStateEnum.Completed);
    assertThat(info.getNumberRecordsProcessed()).isEqualTo(sandbox.count("Account"));
    assertThat(bulk.getQueryResultList(job.getId(), batch.getId()).getResult()).hasSize(1);
  }

  @Test
  void aClosedJobTakesNoBatchAndAnAbortedJobCannotBeClosed() throws Exception {
    var bulk = bulk();
    var job = queryJob(bulk);
    bulk.closeJob(job.getId());
    assertThatThrownBy(() -> bulk.createBatchFromStream(job, soql("SELECT Id FROM Account")))
        .isInstanceOfSatisfying(AsyncApiException.class,
            e -> assertThat(e.getExceptionCode()).isEqualTo(AsyncExceptionCode.InvalidJobState));

    bulk.abortJob(job.getId());
    assertThatThrownBy(() -> bulk.closeJob(job.getId()))
        .isInstanceOfSatisfying(AsyncApiException.class, e -> {
          assertThat(e.getExceptionCode()).isEqualTo(AsyncExceptionCode.InvalidJobState);
          assertThat(e.getExceptionMessage()).contains("Aborted");
        });
    assertThat(bulk.getJobStatus(job.getId()).getState()).isEqualTo(JobStateEnum.Aborted);
  }

  @Test
  void aJobCreatedInJsonIsClosedAndAbortedInJson() throws Exception {
    var bulk = bulk();
    var create = new JobInfo();
    create.setObject("Account");
    create.setOperation(OperationEnum.query);
    create.setContentType(ContentType.JSON);
    var job = bulk.createJob(create, ContentType.JSON);
    assertThat(job.getState()).isEqualTo(JobStateEnum.Open);
    assertThat(job.getContentType()).isEqualTo(ContentType.JSON);

    assertThat(bulk.updateJob(state(job.getId(), JobStateEnum.Closed), ContentType.JSON).getState())
        .isEqualTo(JobStateEnum.Closed);
    var aborted = bulk.updateJob(state(job.getId(), JobStateEnum.Aborted), ContentType.JSON);
    assertThat(aborted.getState()).isEqualTo(JobStateEnum.Aborted);
    assertThat(aborted.getObject()).isEqualTo("Account");
    assertThat(aborted.getApiVersion()).isEqualTo(Double.parseDouble(sandbox.apiVersion()));
    assertThat(bulk.getJobStatus(job.getId(), ContentType.JSON).getState()).isEqualTo(JobStateEnum.Aborted);
    assertThatThrownBy(() -> bulk.updateJob(state(job.getId(), JobStateEnum.Closed), ContentType.JSON))
        .isInstanceOfSatisfying(AsyncApiException.class,
            e -> assertThat(e.getExceptionCode()).isEqualTo(AsyncExceptionCode.InvalidJobState));
  }

  private static JobInfo state(String id, JobStateEnum state) {
    var job = new JobInfo();
    job.setId(id);
    job.setState(state);
    return job;
  }

  private static BulkConnection bulk() throws Exception {
    var login = new ConnectorConfig();
    login.setUsername(sandbox.username());
    login.setPassword(sandbox.password());
    login.setAuthEndpoint(sandbox.loginUrl());
    var session = Connector.newConnection(login).getConfig().getSessionId();
    var config = new ConnectorConfig();
    config.setSessionId(session);
    config.setRestEndpoint(sandbox.baseUrl() + "/services/async/" + sandbox.apiVersion());
    return new BulkConnection(config);
  }

  private static JobInfo queryJob(BulkConnection bulk) throws AsyncApiException {
    var job = new JobInfo();
    job.setObject("Account");
    job.setOperation(OperationEnum.query);
    job.setContentType(ContentType.CSV);
    return bulk.createJob(job);
  }

  private static ByteArrayInputStream soql(String soql) {
    return new ByteArrayInputStream(soql.getBytes(StandardCharsets.UTF_8));
  }
}
