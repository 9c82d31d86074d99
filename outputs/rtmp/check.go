package rtmp

// Check validates the URL, key, CA file and certificate pin without
// connecting (dest.Checker): what would make every attempt fail.
func (p *Publisher) Check() error {
	_, _, _, err := p.setup()
	return err
}
