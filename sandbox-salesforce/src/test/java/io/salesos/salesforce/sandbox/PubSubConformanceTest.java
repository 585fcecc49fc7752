package io.salesos.salesforce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.ConsumerEvent;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import com.salesforce.eventbus.protobuf.TopicRequest;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.salesos.pubsub.PubSubService;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's Pub/Sub API as a gRPC client sees it, per Salesforce's documentation (sources in
 * docs/change-streams.md): Change Data Capture events on /data/ChangeEvents and
 * /data/{Object}ChangeEvent, Avro payloads decoded with the schema GetSchema returns, the
 * ChangeEventHeader fields with bitmap changedFields, flow control by num_requested, replay from
 * a stored replay id, the replay-id error code for an id past the 72-hour retention, gap and
 * overflow events, and the authentication headers.
 */
class PubSubConformanceTest {

  static ConformanceOrg org;
  static ManagedChannel channel;
  static io.grpc.Channel authed;

  @BeforeAll
  static void start() throws Exception {
    org = new ConformanceOrg();
    // the retention test moves the clock 73 hours: the session must outlive that
    org.sandbox.sessionTimeout(Duration.ofDays(30));
    var p = org.login();
    channel = NettyChannelBuilder.forTarget(org.sandbox.pubsubUrl().substring("http://".length())).usePlaintext().build();
    authed = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(
        headers(p.getConfig().getSessionId(), org.sandbox.orgId())));
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    org.close();
  }

  static Metadata headers(String token, String tenant) {
    var h = new Metadata();
    h.put(PubSubService.ACCESS_TOKEN, token);
    h.put(PubSubService.INSTANCE_URL, org.sandbox.baseUrl());
    h.put(PubSubService.TENANT_ID, tenant);
    return h;
  }

  /** A Subscribe stream whose responses (or its end) queue up for the test to take. */
  static final class Sub implements StreamObserver<FetchResponse> {
    final LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
    final StreamObserver<FetchRequest> requests;

    Sub(io.grpc.Channel ch, String topic, ReplayPreset preset, ByteString replayId, int n) {
      requests = PubSubService.subscribe(ch, CallOptions.DEFAULT, this);
      var first = FetchRequest.newBuilder().setTopicName(topic).setReplayPreset(preset).setNumRequested(n);
      if (replayId != null) {
        first.setReplayId(replayId);
      }
      requests.onNext(first.build());
    }

    void request(int n) {
      requests.onNext(FetchRequest.newBuilder().setNumRequested(n).build());
    }

    FetchResponse next() throws InterruptedException {
      var o = got.poll(10, TimeUnit.SECONDS);
      assertThat(o).as("a response within 10 s").isNotNull();
      if (o instanceof Throwable t) {
        throw new AssertionError("the subscription ended: " + t, t);
      }
      return (FetchResponse) o;
    }

    /** The events of the next responses until {@code n} arrived. */
    List<ConsumerEvent> events(int n) throws InterruptedException {
      var out = new ArrayList<ConsumerEvent>();
      while (out.size() < n) {
        out.addAll(next().getEventsList());
      }
      return out;
    }

    StatusRuntimeException error() throws InterruptedException {
      while (true) {
        var o = got.poll(10, TimeUnit.SECONDS);
        assertThat(o).as("the subscription ends within 10 s").isNotNull();
        if (o instanceof StatusRuntimeException e) {
          return e;
        }
      }
    }

    void cancel() {
      requests.onError(Status.CANCELLED.asRuntimeException());
    }

    @Override
    public void onNext(FetchResponse r) {
      got.add(r);
    }

    @Override
    public void onError(Throwable t) {
      got.add(t);
    }

    @Override
    public void onCompleted() {
      got.add(new IllegalStateException("completed"));
    }
  }

  static GenericRecord decode(ConsumerEvent e) throws IOException {
    var info = PubSubService.getSchema(authed, CallOptions.DEFAULT,
        SchemaRequest.newBuilder().setSchemaId(e.getEvent().getSchemaId()).build());
    assertThat(info.getSchemaId()).isEqualTo(e.getEvent().getSchemaId());
    var schema = new Schema.Parser().parse(info.getSchemaJson());
    var decoder = DecoderFactory.get().binaryDecoder(e.getEvent().getPayload().toByteArray(), null);
    return new GenericDatumReader<GenericRecord>(schema).read(null, decoder);
  }

  static GenericRecord header(GenericRecord event) {
    return (GenericRecord) event.get("ChangeEventHeader");
  }

  static List<String> strings(Object avroArray) {
    var out = new ArrayList<String>();
    ((List<?>) avroArray).forEach(o -> out.add(o.toString()));
    return out;
  }

  /** The field names a bitmap field names: bit n of the hex value is the schema's field at position n. */
  static List<String> fieldsOf(GenericRecord event, Object bitmap) {
    var names = new ArrayList<String>();
    var maps = strings(bitmap);
    if (maps.isEmpty()) {
      return names;
    }
    var bits = new BigInteger(maps.get(0).substring(2), 16);
    for (var f : event.getSchema().getFields()) {
      if (bits.testBit(f.pos())) {
        names.add(f.name());
      }
    }
    return names;
  }

  static long replay(ConsumerEvent e) {
    return java.nio.ByteBuffer.wrap(e.getReplayId().toByteArray()).getLong();
  }

  @Test
  void changesArriveAsAvroEventsWithTheirHeaderAndIncreasingReplayIds() throws Exception {
    var sub = new Sub(authed, "/data/OpportunityChangeEvent", ReplayPreset.LATEST, null, 10);
    var keepalive = sub.next();
    assertThat(keepalive.getEventsList()).as("nothing to deliver yet: a keepalive").isEmpty();
    assertThat(keepalive.getLatestReplayId().size()).isPositive();

    var account = org.create("Account", "Name", "Pub/Sub Holdings");
    var opp = org.create("Opportunity", "Name", "Pub/Sub deal", "AccountId", account, "StageName", "Prospecting",
        "CloseDate", java.time.LocalDate.parse("2026-12-31"), "Amount", 1000);
    org.sandbox.editAsUser(List.of(opp), Map.of("Amount", 2500, "NextStep", "call back"));
    var cleared = new java.util.HashMap<String, Object>();
    cleared.put("NextStep", null);
    org.sandbox.editAsUser(List.of(opp), cleared);
    org.sandbox.deleteAsUser(List.of(opp));

    var events = sub.events(4);
    assertThat(events).hasSize(4);
    var types = new ArrayList<String>();
    var keys = new ArrayList<String>();
    for (int i = 0; i < events.size(); i++) {
      var event = decode(events.get(i));
      var h = header(event);
      types.add(h.get("changeType").toString());
      keys.add(h.get("transactionKey").toString());
      assertThat(h.get("entityName").toString()).isEqualTo("Opportunity");
      assertThat(strings(h.get("recordIds"))).containsExactly(opp);
      assertThat(h.get("commitTimestamp")).isEqualTo(ConformanceOrg.NOW.toEpochMilli());
      assertThat((Long) h.get("commitNumber")).isPositive();
      assertThat(h.get("changeOrigin").toString()).startsWith("com/salesforce/api/");
      if (i > 0) {
        assertThat(replay(events.get(i))).isGreaterThan(replay(events.get(i - 1)));
      }
      switch (i) {
        case 0 -> {
          assertThat(event.get("Name").toString()).isEqualTo("Pub/Sub deal");
          assertThat(event.get("Amount")).isEqualTo(1000.0);
          assertThat(strings(h.get("changedFields"))).as("empty for a creation").isEmpty();
        }
        case 1 -> {
          assertThat(fieldsOf(event, h.get("changedFields"))).contains("Amount", "NextStep", "LastModifiedDate")
              .doesNotContain("Name", "StageName");
          assertThat(event.get("Amount")).isEqualTo(2500.0);
          assertThat(event.get("Name")).as("unchanged fields are null").isNull();
        }
        case 2 -> assertThat(fieldsOf(event, h.get("nulledFields"))).containsExactly("NextStep");
        default -> assertThat(event.get("Amount")).as("a deletion carries the header only").isNull();
      }
    }
    assertThat(types).containsExactly("CREATE", "UPDATE", "UPDATE", "DELETE");
    assertThat(keys).doesNotHaveDuplicates();
    sub.cancel();
  }

  @Test
  void aStoredReplayIdResumesAfterItsEventOnTheAllEntitiesChannel() throws Exception {
    var sub = new Sub(authed, "/data/ChangeEvents", ReplayPreset.LATEST, null, 10);
    sub.next();
    var first = org.create("Account", "Name", "Replay first");
    var contact = org.create("Contact", "LastName", "Replay second", "AccountId", first);
    var events = sub.events(2);
    sub.cancel();
    assertThat(header(decode(events.get(1))).get("entityName").toString()).isEqualTo("Contact");
    assertThat(events.get(0).getEvent().getSchemaId()).as("each entity its own schema")
        .isNotEqualTo(events.get(1).getEvent().getSchemaId());

    var resumed = new Sub(authed, "/data/ChangeEvents", ReplayPreset.CUSTOM, events.get(0).getReplayId(), 10);
    var again = resumed.events(1);
    assertThat(again.get(0).getReplayId()).isEqualTo(events.get(1).getReplayId());
    assertThat(strings(header(decode(again.get(0))).get("recordIds"))).containsExactly(contact);
    resumed.cancel();

    var topic = PubSubService.getTopic(authed, CallOptions.DEFAULT,
        TopicRequest.newBuilder().setTopicName("/data/AccountChangeEvent").build());
    assertThat(topic.getCanSubscribe()).isTrue();
    assertThat(topic.getCanPublish()).isFalse();
    assertThat(topic.getSchemaId()).isEqualTo(events.get(0).getEvent().getSchemaId());
  }

  @Test
  void flowControlDeliversNoMoreThanRequested() throws Exception {
    var sub = new Sub(authed, "/data/AccountChangeEvent", ReplayPreset.LATEST, null, 2);
    sub.next();
    for (int i = 0; i < 3; i++) {
      org.create("Account", "Name", "Flow " + i);
    }
    assertThat(sub.events(2)).hasSize(2);
    assertThat(sub.got.poll(300, TimeUnit.MILLISECONDS)).as("nothing beyond the two requested").isNull();
    sub.request(1);
    assertThat(sub.events(1)).hasSize(1);
    sub.cancel();
  }

  @Test
  void aReplayIdPastTheRetentionFailsWithTheReplayIdErrorCode() throws Exception {
    var sub = new Sub(authed, "/data/LeadChangeEvent", ReplayPreset.LATEST, null, 5);
    sub.next();
    org.create("Lead", "LastName", "Old", "Company", "Old Co");
    var old = sub.events(1).get(0).getReplayId();
    sub.cancel();
    try {
      org.sandbox.clock().advance(Duration.ofHours(73));
      var late = new Sub(authed, "/data/LeadChangeEvent", ReplayPreset.CUSTOM, old, 5);
      var e = late.error();
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getTrailers().get(PubSubService.ERROR_CODE)).isEqualTo(PubSubService.REPLAY_ID_CORRUPTED);
    } finally {
      org.sandbox.clock().set(ConformanceOrg.NOW);
    }
    var garbage = new Sub(authed, "/data/LeadChangeEvent", ReplayPreset.CUSTOM, ByteString.copyFromUtf8("nonsense"), 5);
    assertThat(garbage.error().getTrailers().get(PubSubService.ERROR_CODE)).isEqualTo(PubSubService.REPLAY_ID_CORRUPTED);
  }

  @Test
  void theExpireFaultInvalidatesReplayIdsBeforeAPoint() throws Exception {
    var sub = new Sub(authed, "/data/TaskChangeEvent", ReplayPreset.LATEST, null, 5);
    sub.next();
    org.create("Task", "Subject", "Before the purge");
    var stored = sub.events(1).get(0).getReplayId();
    sub.cancel();
    org.sandbox.faults().expireReplayIdsBefore(ConformanceOrg.NOW.plusSeconds(1));
    var resumed = new Sub(authed, "/data/TaskChangeEvent", ReplayPreset.CUSTOM, stored, 5);
    assertThat(resumed.error().getTrailers().get(PubSubService.ERROR_CODE)).isEqualTo(PubSubService.REPLAY_ID_CORRUPTED);
  }

  @Test
  void gapAndOverflowEventsCarryTheHeaderOnly() throws Exception {
    var sub = new Sub(authed, "/data/ContactChangeEvent", ReplayPreset.LATEST, null, 10);
    sub.next();
    var contact = org.create("Contact", "LastName", "Gapped");
    org.sandbox.faults().gapEvents(1);
    org.sandbox.editAsUser(List.of(contact), Map.of("Title", "VP"));
    org.sandbox.faults().overflowEvent("Contact");
    var events = sub.events(3);
    var gap = decode(events.get(1));
    assertThat(header(gap).get("changeType").toString()).isEqualTo("GAP_UPDATE");
    assertThat(strings(header(gap).get("recordIds"))).containsExactly(contact);
    assertThat(gap.get("Title")).isNull();
    var overflow = decode(events.get(2));
    assertThat(header(overflow).get("changeType").toString()).isEqualTo("GAP_OVERFLOW");
    assertThat(header(overflow).get("entityName").toString()).isEqualTo("Contact");
    assertThat(strings(header(overflow).get("recordIds"))).isEmpty();
    sub.cancel();
  }

  @Test
  void aCallWithoutALiveSessionIsRefusedAndADroppedSubscriptionEnds() throws Exception {
    var stranger = ClientInterceptors.intercept(channel,
        MetadataUtils.newAttachHeadersInterceptor(headers("00D000000000000!AQnotasession", org.sandbox.orgId())));
    assertThatThrownBy(() -> PubSubService.getTopic(stranger, CallOptions.DEFAULT,
        TopicRequest.newBuilder().setTopicName("/data/ChangeEvents").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));

    var sub = new Sub(authed, "/data/ChangeEvents", ReplayPreset.LATEST, null, 5);
    sub.next();
    org.sandbox.faults().dropSubscriptions();
    assertThat(sub.error().getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);

    var unknown = new Sub(authed, "/data/NoSuchThingChangeEvent", ReplayPreset.LATEST, null, 5);
    assertThat(unknown.error().getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }
}
