namespace Orca.Simulator;

public class Class1
{

}
