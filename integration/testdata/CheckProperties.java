// CheckProperties loads client and topic .properties files with the real
// Java client's config classes and fails on any property they do not know
// or any value they refuse. ktune's integration tests run it on the files
// `ktune advise --write-properties` writes, with the kafka-clients jar of
// the cluster under test:
//
//   java -cp "$(scripts/kafka.sh classpath --version V)" CheckProperties.java DIR/producer.properties ...
//
// The role comes from the file name: producer*, consumer*, topic*.
// Producer and consumer files go through ProducerConfig / ConsumerConfig
// (names from configNames(), values parsed and cross-checked by the
// constructor, as KafkaProducer / KafkaConsumer do, the consumer's
// assignor classes instantiated); topic files through
// the topic config names of TopicConfig and, where the classpath has it,
// the broker's LogConfig definition, which parses every value.
import java.io.FileReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.TopicConfig;

public class CheckProperties {
    public static void main(String[] args) throws Exception {
        List<String> errors = new ArrayList<>();
        for (String path : args) {
            Properties p = new Properties();
            try (FileReader r = new FileReader(path)) {
                p.load(r);
            }
            String name = new java.io.File(path).getName();
            try {
                if (name.startsWith("producer")) {
                    unknown(path, p, ProducerConfig.configNames(), errors);
                    Properties q = withClientBasics(p, "org.apache.kafka.common.serialization.ByteArraySerializer", ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
                    new ProducerConfig(q);
                } else if (name.startsWith("consumer")) {
                    unknown(path, p, ConsumerConfig.configNames(), errors);
                    Properties q = withClientBasics(p, "org.apache.kafka.common.serialization.ByteArrayDeserializer", ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
                    ConsumerConfig c = new ConsumerConfig(q);
                    // A list of class names, checked only when
                    // KafkaConsumer instantiates them: do it here.
                    c.getConfiguredInstances(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, ConsumerPartitionAssignor.class);
                } else if (name.startsWith("topic")) {
                    unknown(path, p, topicConfigNames(), errors);
                    ConfigDef def = logConfigDef();
                    if (def != null) {
                        def.parse(p);
                    }
                } else {
                    errors.add(path + ": cannot tell the role from the file name");
                }
            } catch (Exception e) {
                errors.add(path + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            System.out.println("checked " + path + " (" + p.size() + " properties)");
        }
        for (String e : errors) {
            System.out.println("INVALID " + e);
        }
        System.exit(errors.isEmpty() ? 0 : 1);
    }

    static void unknown(String path, Properties p, Set<String> known, List<String> errors) {
        for (String k : p.stringPropertyNames()) {
            if (!known.contains(k)) {
                errors.add(path + ": unknown property " + k);
            }
        }
    }

    // withClientBasics adds what a client needs to construct and the
    // advice leaves to the operator: where to connect, and (de)serializers.
    static Properties withClientBasics(Properties p, String serde, String keyConfig, String valueConfig) {
        Properties q = new Properties();
        q.putAll(p);
        q.putIfAbsent("bootstrap.servers", "127.0.0.1:9092");
        q.putIfAbsent(keyConfig, serde);
        q.putIfAbsent(valueConfig, serde);
        return q;
    }

    // topicConfigNames are the values of TopicConfig's *_CONFIG constants.
    static Set<String> topicConfigNames() throws IllegalAccessException {
        Set<String> names = new HashSet<>();
        for (Field f : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && f.getName().endsWith("_CONFIG")) {
                names.add((String) f.get(null));
            }
        }
        return names;
    }

    // logConfigDef is the broker's topic config definition (LogConfig in
    // the storage module), or null when the classpath has none.
    static ConfigDef logConfigDef() {
        try {
            Class<?> c = Class.forName("org.apache.kafka.storage.internals.log.LogConfig");
            return (ConfigDef) c.getMethod("configDefCopy").invoke(null);
        } catch (ReflectiveOperationException e) {
            System.out.println("no LogConfig on the classpath: topic values not parsed (" + e + ")");
            return null;
        }
    }
}
