/**
 * The replica side of a broker in a cluster: {@link dev.skiff.broker.replica.ReplicaManager} applies the
 * controller's images (leader or follower of each partition, ISR, high watermark, AlterPartition),
 * {@link dev.skiff.broker.replica.ReplicaFetcher} copies a leader's partitions (OffsetForLeaderEpoch
 * truncation, then replica Fetch) through a {@link dev.skiff.broker.replica.ReplicaChannel}: in process for
 * unit tests, over Kafka's wire in broker-server. Imports the broker's root package and {@code cluster/};
 * nothing imports it but {@code api/} and the broker itself.
 */
package dev.skiff.broker.replica;
