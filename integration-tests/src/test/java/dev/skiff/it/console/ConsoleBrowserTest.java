package dev.skiff.it.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (headless Chromium through Selenium): it lists a topic a test created, shows
 * messages kafka-clients produced in order with their keys, shows a group's lag fall to zero as its consumer
 * reads, and a message produced from the page reaches a consumer. A screenshot of each step goes to
 * {@code target/console-screenshots/}. Skips when chromium or chromedriver is not installed
 * ({@code .ci/install-clients.sh} installs them).
 */
class ConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("skiff.it.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER =
            Path.of(System.getProperty("skiff.it.chromedriver", "/usr/bin/chromedriver"));
    private static final Path SHOTS = Path.of("target", "console-screenshots");
    private static final String TOPIC = "browser-orders";

    private static EmbeddedSkiff broker;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "chromium/chromedriver missing");
        Files.createDirectories(SHOTS);
        broker = EmbeddedSkiff.builder().console().start();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (broker != null) broker.close();
    }

    @Test
    void theConsoleShowsTopicsMessagesLagAndProduces() throws Exception {
        broker.createTopic(TOPIC, 2);
        browser.get(broker.consoleUrl());
        waitFor(By.cssSelector("tr[data-topic='" + TOPIC + "']"));
        shot("01-topics");

        Map<String, Object> common = Map.of("bootstrap.servers", broker.bootstrapServers());
        try (var producer = new KafkaProducer<>(common, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 5; i++)
                producer.send(new ProducerRecord<>(TOPIC, 0, "key-" + i, "{\"n\":" + i + "}"))
                        .get();
        }
        browser.get(broker.consoleUrl() + "#/topics/" + TOPIC + "?partition=0");
        List<WebElement> rows = waitForCount(By.cssSelector("#messages tbody tr"), 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(Integer.toString(i), rows.get(i).getAttribute("data-offset"));
            assertEquals(
                    "key-" + i,
                    rows.get(i).findElement(By.cssSelector("td.key")).getText());
            assertTrue(rows.get(i)
                    .findElement(By.cssSelector("td.value"))
                    .getText()
                    .contains("\"n\":" + i));
        }
        shot("02-messages");

        // a group that has committed offset 0 lags by 5; its consumer then reads and commits everything
        Map<String, Object> consumerProps = new java.util.HashMap<>(common);
        consumerProps.put("group.id", "browser-readers");
        consumerProps.put("enable.auto.commit", "false");
        consumerProps.put("auto.offset.reset", "earliest");
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        try (var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(p0));
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(0)));
            browser.get(broker.consoleUrl() + "#/groups/browser-readers");
            waitForAttribute(By.id("group-lag"), "data-lag", "5");
            shot("03-group-lagging");
            int read = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read < 5 && System.nanoTime() < deadline)
                read += consumer.poll(Duration.ofMillis(200)).count();
            assertEquals(5, read);
            consumer.commitSync();
        }
        waitForAttribute(By.id("group-lag"), "data-lag", "0"); // the page refreshes itself
        shot("04-group-caught-up");

        // produce from the page, read it with a consumer
        browser.get(broker.consoleUrl() + "#/topics/" + TOPIC + "?partition=0");
        waitFor(By.id("produce-form"));
        browser.findElement(By.id("produce-key")).sendKeys("from-the-page");
        browser.findElement(By.id("produce-value")).sendKeys("hello from the browser");
        browser.findElement(By.id("produce-submit")).click();
        new WebDriverWait(browser, Duration.ofSeconds(15))
                .ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(By.id("produce-result")).getText().contains("offset 5"));
        shot("05-produced");
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
                new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(p0));
            consumer.seek(p0, 5);
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.isEmpty() && System.nanoTime() < deadline)
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            assertEquals(1, got.size());
            assertEquals("from-the-page", got.get(0).key());
            assertEquals("hello from the browser", got.get(0).value());
        }

        // the topics with their live charts, then at a phone's width
        browser.get(broker.consoleUrl() + "#/topics");
        waitFor(By.cssSelector("tr[data-topic='" + TOPIC + "'] svg.spark"));
        shot("06-topics");
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.navigate().refresh();
        waitFor(By.cssSelector("tr[data-topic='" + TOPIC + "']"));
        shot("07-phone-width");
    }

    private static WebElement waitFor(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.isEmpty() ? null : found.get(0);
        });
    }

    private static List<WebElement> waitForCount(By by, int n) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.size() >= n ? found : null;
        });
    }

    private static void waitForAttribute(By by, String attribute, String value) {
        // the page re-renders itself every few seconds: an element found may be gone by the time it is read
        new WebDriverWait(browser, Duration.ofSeconds(30))
                .ignoring(StaleElementReferenceException.class)
                .until(d -> {
                    List<WebElement> found = d.findElements(by);
                    return !found.isEmpty() && value.equals(found.get(0).getAttribute(attribute));
                });
    }

    private static void shot(String name) throws Exception {
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
