package loadtest

import "strconv"

// nodeCells is the table of the servers a run drove, when it drove
// several: each node's process (given its pid) and /metrics (served at
// its -server URL), the header first and their total last. The total's
// RSS is the peak of the nodes' sum, not the sum of their peaks, as in
// the counts above.
func nodeCells(r *Result) [][]string {
	rows := [][]string{{"server", "pid", "peak RSS (MiB)", "CPU (s)", "sockets (peak)", "msgs received", "msgs delivered"}}
	var total NodeMetrics
	metrics := false
	for _, n := range r.Nodes {
		row := []string{printable(n.Server), "–", "–", "–", "–", "–", "–"}
		if n.PID != 0 {
			row[1] = strconv.Itoa(n.PID)
		}
		if u := n.Usage; u != nil {
			row[2], row[3] = fmtTenths(u.PeakRSSMiB), fmtTenths(u.CPUSeconds)
		}
		if m := n.Metrics; m != nil {
			metrics = true
			row[4], row[5], row[6] = fmtInt(m.PeakConnections), fmtInt(m.MessagesReceived), fmtInt(m.MessagesDelivered)
			total.PeakConnections += m.PeakConnections
			total.MessagesReceived += m.MessagesReceived
			total.MessagesDelivered += m.MessagesDelivered
		}
		rows = append(rows, row)
	}
	sum := []string{"total", "", "–", "–", "–", "–", "–"}
	if u := r.Server_; u != nil {
		sum[2], sum[3] = fmtTenths(u.PeakRSSMiB), fmtTenths(u.CPUSeconds)
	}
	if metrics {
		sum[4], sum[5], sum[6] = fmtInt(total.PeakConnections), fmtInt(total.MessagesReceived), fmtInt(total.MessagesDelivered)
	}
	return append(rows, sum)
}

// fmtTenths is a figure with one decimal.
func fmtTenths(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
