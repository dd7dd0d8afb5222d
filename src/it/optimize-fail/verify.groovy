import groovy.json.JsonSlurper
import javax.xml.parsers.DocumentBuilderFactory

def out = new File(basedir, 'target/prune/optimize')
def r = new JsonSlurper().parse(new File(out, 'optimize.json'))

// optimize.json is written for a failed search too: no winner, a closest candidate, the failure
assert r.passed == false
assert r.winner == null && r.winnerIr == null
assert r.closest != null : 'no closest candidate named'
assert r.failure.contains("Closest: ${r.closest}")
assert r.candidates.every { it.status == 'FAILED' } : "statuses ${r.candidates.collect { it.id + '=' + it.status }}"
assert r.search.deviceRuns == 2 : 'with no winner every accurate-enough candidate goes to the device'

// each candidate passed mAP50 and missed both impossible budgets
r.candidates.each { c ->
    def v = c.verdicts.collectEntries { [(it.property): it.verdict] }
    assert v == ['prune.minMap50': 'PASSED', 'prune.maxLatencyMs': 'FAILED', 'prune.maxMemoryMb': 'FAILED'] : "${c.id}: ${v}"
}

// the closest is the one whose worst miss relative to its budget is smallest (docs/optimize.md),
// recomputed here from the measured figures
def worstMiss = { c ->
    c.verdicts.findAll { it.verdict == 'FAILED' }.collect { b ->
        b.comparison == '>=' ? (b.budget - b.measured) / b.budget : (b.measured - b.budget) / b.budget
    }.max()
}
def expected = r.candidates.min { worstMiss(it) }
assert r.closest == expected.id : "closest ${r.closest}, smallest worst miss ${expected.id}"

// the build failed with a message that names the closest and each missed budget with its figure
def log = new File(basedir, 'build.log').text
assert log.contains('[ERROR] Failed to execute goal io.github.edgeprune:prune-maven-plugin') : 'the build did not fail in optimize'
assert log.contains('optimize: no candidate meets every budget (2 candidates: 2 missed a budget on the device')
assert log.contains("Closest: ${r.closest} (")
assert log =~ /FAILED: latency \(median\) [0-9.]+ ms is above the maximum 0\.01 ms \(prune\.maxLatencyMs\)/
assert log =~ /FAILED: peak memory [0-9.]+ MB is above the maximum 1\.0 MB \(prune\.maxMemoryMb\)/
assert log =~ /PASSED: mAP50 [0-9.]+ meets the budget >= 0\.100 \(prune\.minMap50\)/
assert log.contains('optimize.html') : 'the failure does not give the report path'

// JUnit: the closest candidate's budgets, the latency and memory cases failing
def factory = DocumentBuilderFactory.newInstance()
def junit = factory.newDocumentBuilder().parse(new File(out, 'TEST-prune-optimize.xml'))
assert junit.documentElement.getAttribute('tests') == '3'
assert junit.documentElement.getAttribute('failures') == '2'
def cases = junit.getElementsByTagName('testcase')
def failing = (0..<cases.length).collect { cases.item(it) }
        .findAll { it.getElementsByTagName('failure').length > 0 }*.getAttribute('name')
assert failing.size() == 2
assert failing.every { it.startsWith("closest ${r.closest}: ") } : "${failing}"
assert failing.any { it.contains('(prune.maxLatencyMs)') } && failing.any { it.contains('(prune.maxMemoryMb)') }

// no winner is exported
assert !new File(out, 'winner').exists() : 'a failed search left an optimize/winner folder'

// the HTML report still shows the failure, both candidates in the chart and in the table
def html = factory.newDocumentBuilder().parse(new File(out, 'optimize.html'))
assert html.documentElement.textContent.contains('FAILED')
def circles = html.getElementsByTagName('svg').item(0).getElementsByTagName('circle')
def classes = (0..<circles.length).collect { circles.item(it).getAttribute('class') }
assert classes.count('candidate') == 2 && !classes.contains('winner')
assert html.getElementsByTagName('table').item(0).getElementsByTagName('tr').length == 3
return true
