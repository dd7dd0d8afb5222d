import groovy.json.JsonSlurper
import javax.xml.parsers.DocumentBuilderFactory

def out = new File(basedir, 'target/prune/optimize')
def r = new JsonSlurper().parse(new File(out, 'optimize.json'))

// a winner, and it is the candidate the search marked WINNER
assert r.passed == true : "optimize did not pass: ${r.failure}"
assert r.winner != null && r.closest == null
assert r.candidates*.id.sort() == ['dense-fp16-256', 'dense-int8-256'] : "candidates ${r.candidates*.id}"
def winners = r.candidates.findAll { it.status == 'WINNER' }
assert winners.size() == 1 && winners[0].id == r.winner : "statuses ${r.candidates.collect { it.id + '=' + it.status }}"
def w = winners[0]

// the winner's device figures meet every budget, and each budget has a PASSED verdict
assert w.map50 >= r.budgets.minMap50 : "winner mAP50 ${w.map50} < ${r.budgets.minMap50}"
assert w.latencyMs.median > 0 && w.latencyMs.median <= r.budgets.maxLatencyMs
assert w.peakMemoryMb > 50 && w.peakMemoryMb <= r.budgets.maxMemoryMb : "peak ${w.peakMemoryMb} MB"
assert w.latencyMs.count == 4 : 'every one of the 4 images is timed once after the warm-up'
assert w.verdicts*.property.sort() == ['prune.maxLatencyMs', 'prune.maxMemoryMb', 'prune.minMap50']
assert w.verdicts.every { it.verdict == 'PASSED' }

// both candidates meet these loose budgets on any machine, so both reached the device, and the
// winner is the faster of the two by what was measured (which one that is depends on the machine)
def other = r.candidates.find { it.id != r.winner }
assert other.status == 'PASSED' : "${other.id}: ${other.status} ${other.reason}"
assert w.latencyMs.median <= other.latencyMs.median : "winner ${w.latencyMs.median} ms, ${other.id} ${other.latencyMs.median} ms"
assert r.search.deviceRuns == 2 && r.search.evaluations == 2

// the winner's IR is copied to optimize/winner, byte for byte the candidate's
def winnerDir = new File(out, 'winner')
def xml = new File(winnerDir, 'yolov5n.xml')
def bin = new File(winnerDir, 'yolov5n.bin')
assert xml.isFile() && bin.isFile() : "winner folder holds ${winnerDir.list()}"
assert new File(r.winnerIr).canonicalPath == xml.canonicalPath
assert xml.bytes == new File(w.ir).bytes
assert bin.bytes == new File(new File(w.ir).parentFile, 'yolov5n.bin').bytes
assert xml.text.contains("<precision value=\"${w.precision}\"") : 'the winner IR does not record its precision'

// mvn install installed the attached IR (classifier openvino): the winner's files
def repo = new File(localRepositoryPath, 'it/edgeprune/optimize-pass/1.0')
def installedXml = new File(repo, 'optimize-pass-1.0-openvino.xml')
def installedBin = new File(repo, 'optimize-pass-1.0-openvino.bin')
assert installedXml.isFile() && installedBin.isFile() : "installed: ${repo.list()}"
assert installedXml.bytes == xml.bytes && installedBin.length() == bin.length()
// the IT's local repository outlives a run: a file installed by an earlier run is older than this
// run's winner folder
assert installedXml.lastModified() >= xml.lastModified() : 'the installed IR is left over from an earlier run'
assert new File(repo, 'optimize-pass-1.0-openvino.onnx').isFile() : 'the ONNX twin was not installed'

// JUnit: one test case per budget, all for the winner, none failing
def factory = DocumentBuilderFactory.newInstance()
def junit = factory.newDocumentBuilder().parse(new File(out, 'TEST-prune-optimize.xml'))
def suite = junit.documentElement
assert suite.getAttribute('name') == 'prune.optimize'
assert suite.getAttribute('tests') == '3' && suite.getAttribute('failures') == '0'
def cases = junit.getElementsByTagName('testcase')
assert cases.length == 3
(0..<cases.length).each { i ->
    def name = cases.item(i).getAttribute('name')
    assert name.startsWith("winner ${r.winner}: ") : name
}
assert junit.getElementsByTagName('failure').length == 0

// optimize.html parses as XML, holds the chart (a point per candidate, the winner ringed, the
// minMap50 line; the 100000 ms budget is far off the data, so it is not drawn) and the table
def html = factory.newDocumentBuilder().parse(new File(out, 'optimize.html'))
def svgs = html.getElementsByTagName('svg')
assert svgs.length == 1
def circles = svgs.item(0).getElementsByTagName('circle')
def byClass = { String c -> (0..<circles.length).collect { circles.item(it) }.findAll { it.getAttribute('class') == c } }
assert byClass('candidate').size() == 2 && byClass('winner').size() == 1
def budgetLines = svgs.item(0).getElementsByTagName('line')
assert (0..<budgetLines.length).collect { budgetLines.item(it).textContent }.any { it.contains('prune.minMap50') }
def rows = html.getElementsByTagName('table').item(0).getElementsByTagName('tr')
assert rows.length == 3 : 'the candidate table has a header and one row per candidate'
def rowTexts = (1..<rows.length).collect { rows.item(it).textContent }
assert rowTexts.any { it.contains(r.winner) && it.contains('WINNER') }
assert rowTexts.any { it.contains(other.id) && it.contains('PASSED') }

def log = new File(basedir, 'build.log').text
assert log.contains("Winner: ${r.winner}")
assert log.contains("optimize-pass-1.0-openvino.xml") : 'install did not log the attached IR'
return true
