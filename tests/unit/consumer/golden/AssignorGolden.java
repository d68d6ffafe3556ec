// Prints the golden table of tests/unit/consumer/assignors_test.cc: the assignments the Java
// client's own RangeAssignor, RoundRobinAssignor, StickyAssignor and CooperativeStickyAssignor
// compute for a set of scenarios. The output is C++ table rows, ready to paste. How to run it:
// see README.md next to this file.
//
// A scenario is one line, also read by the C++ test:
//   "t0:5 t1:3 | c1: t0 t1 | c2/inst: t0 owns t0-1 t0-2 @4 | ..."
// first the topics and their partition counts, then one section per member: its id (and
// group.instance.id after a slash), its topics, and optionally the partitions it owned and the
// generation it owned them in. Cooperative members report those in the subscription; eager
// (sticky) members in the user data Java's StickyAssignor writes after onAssignment.
//
// Java's sticky assignors visit members in HashMap order in places, so some of their choices
// depend on the member ids' hashes rather than on their order. Each scenario is therefore run
// again with every member id renamed (a prefix added, which keeps their order but changes their
// hashes); a row says whether Java's answer was the same every time. The C++ test expects the
// same assignment where it was, and the same balance and stickiness where it was not.

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.clients.consumer.internals.AbstractPartitionAssignor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.AppInfoParser;

public class AssignorGolden {
  static final String[] RANGE_AND_ROUND_ROBIN = {
    // 3 members x 2 topics x 5 partitions
    "t0:5 t1:5 | c1: t0 t1 | c2: t0 t1 | c3: t0 t1",
    // uneven subscriptions
    "t0:4 t1:3 t2:5 | c1: t0 | c2: t0 t1 | c3: t1 t2",
    // static members come first, by group.instance.id
    "t0:7 | m-z/i-a: t0 | m-a/i-b: t0 | m-b: t0 | m-0: t0",
    // more members than partitions
    "t0:3 | c1: t0 | c2: t0 | c3: t0 | c4: t0 | c5: t0",
    // a subscribed topic that does not exist
    "t0:3 | c1: t0 gone | c2: t0 | c3: gone",
    // member ids order as strings: c1 < c10 < c2
    "t0:10 | c10: t0 | c2: t0 | c1: t0",
    // a mix
    "a:6 b:7 c:1 | m1: a b c | m2: a | m3: b c | m4: a b",
    // a topic with no partitions
    "t0:0 t1:2 | c1: t0 t1 | c2: t1",
  };

  static final String[] STICKY = {
    // fresh, identical subscriptions
    "t0:5 t1:5 | c1: t0 t1 | c2: t0 t1 | c3: t0 t1",
    // c3 left: the others keep theirs and share c3's
    "t0:5 t1:5 | c1: t0 t1 owns t0-0 t0-3 t1-1 t1-4 @1 | c2: t0 t1 owns t0-1 t0-4 t1-2 @1",
    // c3 joins: who keeps the odd partition depends on Java's hash order
    "t0:5 t1:5 | c1: t0 t1 owns t0-0 t0-1 t0-2 t0-3 t0-4 @2 | c2: t0 t1 owns t1-0 t1-1 t1-2 t1-3 t1-4 @2 | c3: t0 t1",
    // c2's claim on t0-1 is a generation old: c1 keeps it
    "t0:6 | c1: t0 owns t0-0 t0-1 @5 | c2: t0 owns t0-1 t0-2 @4 | c3: t0 owns t0-3 @5",
    // different subscriptions, fresh
    "t0:4 t1:4 | c1: t0 | c2: t0 t1 | c3: t1",
    // c1 and c2 both claim t0-0 in generation 3: neither keeps it
    "t0:4 | c1: t0 owns t0-0 t0-1 @3 | c2: t0 owns t0-0 t0-2 @3",
    // different subscriptions; c2 still owns t0-0 but no longer subscribes to t0
    "t0:3 t1:6 | c1: t0 t1 owns t1-0 t1-1 t1-2 t1-3 t1-4 t1-5 @2 | c2: t1 owns t0-0 @2 | c3: t0 t1",
    // more members than partitions
    "t0:2 | c1: t0 owns t0-1 @1 | c2: t0 | c3: t0 owns t0-0 @1",
    // one member owns far more than its share
    "t0:9 | c1: t0 owns t0-0 t0-1 t0-2 t0-3 t0-4 t0-5 t0-6 @3 | c2: t0 owns t0-7 @3 | c3: t0 owns t0-8 @3",
  };

  // Member id prefixes: the same order, different hashes.
  static final String[] RENAMINGS = {"", "member-", "zz/", "consumer-0000-", "x", "group-7f3a-"};

  record Member(String id, Optional<String> instance, List<String> topics, List<TopicPartition> owned, int generation) {}

  record Scenario(Map<String, Integer> partitionsPerTopic, List<Member> members) {}

  static Scenario parse(String spec) {
    String[] sections = spec.split("\\|");
    Map<String, Integer> partitions = new TreeMap<>();
    for (String t : sections[0].trim().split("\\s+")) {
      String[] kv = t.split(":");
      partitions.put(kv[0], Integer.parseInt(kv[1]));
    }
    List<Member> members = new ArrayList<>();
    for (int i = 1; i < sections.length; i++) {
      String[] head = sections[i].split(":", 2);
      String[] ids = head[0].trim().split("/");
      List<String> words = new ArrayList<>(Arrays.asList(head[1].trim().split("\\s+")));
      List<String> topics = new ArrayList<>();
      List<TopicPartition> owned = new ArrayList<>();
      int generation = -1;
      boolean owning = false;
      for (String w : words) {
        if (w.isEmpty()) continue;
        if (w.equals("owns")) {
          owning = true;
        } else if (w.startsWith("@")) {
          generation = Integer.parseInt(w.substring(1));
        } else if (owning) {
          int dash = w.lastIndexOf('-');
          owned.add(new TopicPartition(w.substring(0, dash), Integer.parseInt(w.substring(dash + 1))));
        } else {
          topics.add(w);
        }
      }
      members.add(new Member(ids[0], ids.length > 1 ? Optional.of(ids[1]) : Optional.empty(), topics, owned, generation));
    }
    return new Scenario(partitions, members);
  }

  static ConsumerPartitionAssignor assignor(String name) {
    switch (name) {
      case "range": return new RangeAssignor();
      case "roundrobin": return new RoundRobinAssignor();
      case "sticky": return new StickyAssignor();
      default: return new CooperativeStickyAssignor();
    }
  }

  // What member m sends, as Java's ConsumerCoordinator builds it: eager members have revoked
  // everything, so their past is in the assignor's user data only.
  static Subscription subscription(String assignorName, Member m) {
    ConsumerPartitionAssignor a = assignor(assignorName);
    boolean assignedBefore = m.generation() >= 0 || !m.owned().isEmpty();
    if (assignedBefore) {
      a.onAssignment(new Assignment(m.owned()), new ConsumerGroupMetadata("g", m.generation(), m.id(), Optional.empty()));
    }
    ByteBuffer userData = a.subscriptionUserData(new java.util.HashSet<>(m.topics()));
    List<TopicPartition> owned = assignorName.equals("cooperative-sticky") ? m.owned() : Collections.emptyList();
    Subscription s = new Subscription(m.topics(), userData, owned, m.generation(), Optional.empty());
    s.setGroupInstanceId(m.instance());
    return s;
  }

  static String run(String assignorName, Scenario scenario, String prefix) {
    Map<String, Subscription> subscriptions = new HashMap<>();
    for (Member m : scenario.members()) subscriptions.put(prefix + m.id(), subscription(assignorName, m));
    Map<String, List<TopicPartition>> result =
        ((AbstractPartitionAssignor) assignor(assignorName)).assign(new HashMap<>(scenario.partitionsPerTopic()), subscriptions);
    Map<String, List<TopicPartition>> sorted = new TreeMap<>();
    result.forEach((id, tps) -> {
      List<TopicPartition> copy = new ArrayList<>(tps);
      copy.sort((x, y) -> x.topic().equals(y.topic()) ? Integer.compare(x.partition(), y.partition()) : x.topic().compareTo(y.topic()));
      sorted.put(id.substring(prefix.length()), copy);
    });
    StringBuilder out = new StringBuilder();
    sorted.forEach((id, tps) -> {
      if (out.length() > 0) out.append(' ');
      out.append(id).append("=[");
      for (int i = 0; i < tps.size(); i++) {
        if (i > 0) out.append(' ');
        out.append(tps.get(i).topic()).append('-').append(tps.get(i).partition());
      }
      out.append(']');
    });
    return out.toString();
  }

  static void rows(String[] specs, String... assignors) {
    for (String spec : specs) {
      Scenario scenario = parse(spec);
      for (String name : assignors) {
        String first = run(name, scenario, RENAMINGS[0]);
        boolean sameEveryTime = true;
        for (int i = 1; i < RENAMINGS.length; i++) sameEveryTime &= first.equals(run(name, scenario, RENAMINGS[i]));
        System.out.println("    {\"" + spec + "\", \"" + name + "\",\n     \"" + first + "\", " + sameEveryTime + "},");
      }
    }
  }

  public static void main(String[] args) {
    // Java's sticky assignors log an ERROR for the scenario with a doubly claimed partition; keep
    // stdout for the table (log4j2, which Kafka 4 runs with, prints to stdout by default).
    System.setProperty("log4j2.level", "OFF");
    System.out.println("    // Generated by AssignorGolden.java with kafka-clients " + AppInfoParser.getVersion() + ".");
    rows(RANGE_AND_ROUND_ROBIN, "range", "roundrobin");
    rows(STICKY, "sticky", "cooperative-sticky");
  }
}
